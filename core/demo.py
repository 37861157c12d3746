"""Demo data for the organisation: central office, the 34 provinces, a few grassroots offices, the cast."""
import csv
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Office, Role, User

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# Grassroots (district-level) offices for the demo, under their province.
DISTRICTS = [
    ("01.005", "BHXH cơ sở Cầu Giấy", "01"),
    ("01.006", "BHXH cơ sở Đống Đa", "01"),
    ("79.760", "BHXH cơ sở Sài Gòn", "79"),
]


def agency_code(code: str) -> str:
    """A placeholder electronic agency code in the shape of Decision 20/2020/QĐ-TTg (000.00.01.G13 for the
    province 01, 000.05.01.G13 for its grassroots office 01.005) until an administrator enters the real one."""
    province, _, district = code.partition(".")
    return f"000.{district[-2:] if district else '00'}.{province}.G13"

CAST = [
    # username, role, office code, full name, title
    ("tiepnhan.hn", Role.RECEPTION, "01", "Nguyễn Thị Hoa", "Cán bộ tiếp nhận"),
    ("tiepnhan.hcm", Role.RECEPTION, "79", "Trần Văn Bình", "Cán bộ tiếp nhận"),
    ("chuyenvien.hn", Role.PROCESSOR, "01", "Lê Minh Tuấn", "Chuyên viên Phòng Thu"),
    ("giamdoc.hn", Role.DIRECTOR, "01", "Phạm Quang Huy", "Giám đốc BHXH thành phố Hà Nội"),
    ("phogiamdoc.hn", Role.DEPUTY, "01", "Vũ Thị Lan", "Phó Giám đốc BHXH thành phố Hà Nội"),
    ("giamdoc.hcm", Role.DIRECTOR, "79", "Đỗ Thành Nam", "Giám đốc BHXH TP. Hồ Chí Minh"),
    ("phapche", Role.LEGAL, "00", "Hoàng Thu Trang", "Chuyên viên Vụ Pháp chế"),
]


def load_offices():
    central, _ = Office.objects.get_or_create(
        code="00", valid_from=None,
        defaults={"name": "Bảo hiểm xã hội Việt Nam", "level": Office.Level.CENTRAL, "agency_code": "000.00.00.G13"},
    )
    with open(FIXTURES / "provinces.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"].replace("Thành phố", "thành phố").replace("Tỉnh", "tỉnh")
            Office.objects.get_or_create(
                code=row["code"], valid_from=date.fromisoformat(row["valid_from"]),
                defaults={"name": f"BHXH {name}", "level": Office.Level.PROVINCE, "parent": central,
                          "agency_code": agency_code(row["code"])},
            )
    for code, name, parent in DISTRICTS:
        Office.objects.get_or_create(
            code=code, valid_from=date(2025, 7, 1),
            defaults={"name": name, "level": Office.Level.DISTRICT, "agency_code": agency_code(code),
                      "parent": Office.objects.current().get(code=parent)},
        )


def load_cast():
    password = settings.DEMO_PASSWORD
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@bhxh.local", password, role=Role.ADMIN,
                                      first_name="Quản trị")
    offices = {o.code: o for o in Office.objects.current()}
    for username, role, office, full_name, title in CAST:
        if User.objects.filter(username=username).exists():
            continue
        last, first = full_name.rsplit(" ", 1)
        user = User(username=username, role=role, office=offices[office], first_name=first, last_name=last,
                    title=title, email=f"{username}@bhxh.local")
        user.set_password(password)
        user.save()


@transaction.atomic
def seed(stdout=None):
    load_offices()
    load_cast()
