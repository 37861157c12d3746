"""The national-portal sandbox's data: a deterministic stream of dossiers and PAKN items per agency code.

Item i of an office's stream is always the same item, so a restarted sandbox serves the same stream.
Standard library only (no Django).
"""
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "national_portal"
BASE = datetime(2020, 6, 1, 7, 30)  # first generated item; the fixtures' own items are earlier (May 2020)

PROCEDURES = [  # (MaTTHC, TenTTHC, weight): mostly Resolution 42/NQ-CP support, some ordinary procedures
    ("1.009001", "Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động hoặc nghỉ việc không hưởng lương", 40),
    ("1.009002", "Hỗ trợ người sử dụng lao động vay vốn để trả lương ngừng việc", 25),
    ("1.009003", "Tạm dừng đóng vào quỹ hưu trí và tử tuất", 20),
    ("1.009014", "Cấp lại thẻ BHYT do mất hoặc hỏng", 8),
    ("1.009022", "Giải quyết hưởng chế độ ốm đau", 7),
]
SUMMARIES = {
    "1.009001": "Đề nghị xác nhận danh sách {n} người lao động tạm hoãn HĐLĐ do ảnh hưởng dịch Covid-19",
    "1.009002": "Xác nhận danh sách {n} người lao động ngừng việc để vay vốn Ngân hàng Chính sách xã hội",
    "1.009003": "Đề nghị tạm dừng đóng vào quỹ hưu trí và tử tuất {m} tháng do ảnh hưởng dịch Covid-19",
    "1.009014": "Cấp lại thẻ BHYT bị mất",
    "1.009022": "Đề nghị giải quyết chế độ ốm đau",
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quang", "Ngọc", "Đức", "Thanh", "Hữu", "Bích"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hạnh", "Hùng", "Khánh", "Lan", "Long", "Mai", "Nam",
         "Oanh", "Phúc", "Quyên", "Sơn", "Tâm", "Trang", "Tuấn", "Việt", "Yến"]
COMPANIES = ["Công ty TNHH May {w}", "Công ty CP Du lịch {w}", "Công ty TNHH Nhà hàng {w}", "Công ty CP Vận tải {w}",
             "Công ty TNHH Lữ hành {w}", "Công ty CP Thương mại {w}", "Hợp tác xã Dịch vụ {w}"]
COMPANY_WORDS = ["Thăng Long", "Hồ Tây", "Sông Hồng", "Phố Cổ", "Bến Thành", "Sài Gòn Xanh", "Hoa Sen", "Trường An",
                 "Phương Nam", "Kinh Bắc"]
PLACES = {"01": ["Quận Cầu Giấy", "Quận Đống Đa", "Quận Hoàn Kiếm", "Quận Ba Đình", "Huyện Gia Lâm"],
          "79": ["Quận 1", "Quận 3", "Quận Bình Thạnh", "Thành phố Thủ Đức", "Quận Gò Vấp"]}
PROVINCE_NAMES = {"01": "Hà Nội", "79": "TP. Hồ Chí Minh"}
MOBILE = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "083", "070", "077", "035", "036", "039"]
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
PAKN_TOPICS = [
    ("Chậm xác nhận danh sách hỗ trợ người lao động", "Doanh nghiệp nộp hồ sơ trên Cổng DVCQG đã quá hạn nhưng chưa "
     "được xác nhận danh sách người lao động.", "BHXH-THU"),
    ("Đề nghị hướng dẫn thủ tục tạm dừng đóng quỹ hưu trí", "Đề nghị cơ quan BHXH hướng dẫn cụ thể hồ sơ tạm dừng "
     "đóng vào quỹ hưu trí và tử tuất cho doanh nghiệp bị ảnh hưởng dịch Covid-19.", "BHXH-THU"),
    ("Cán bộ yêu cầu bổ sung giấy tờ nhiều lần", "Tôi phải đến bộ phận một cửa nhiều lần để bổ sung giấy tờ "
     "cho cùng một hồ sơ.", "BHXH-SO"),
    ("Kiến nghị kéo dài thời gian hỗ trợ", "Kiến nghị kéo dài thời gian được tạm dừng đóng quỹ hưu trí và tử tuất "
     "cho doanh nghiệp du lịch.", "BHXH-THU"),
]
DEFECTS = ["phone", "date", "procedure", "status"]


def recent_base(days: int, today: date | None = None) -> datetime:
    """The start of a live feed: 07:30 on the Monday of the week `days` days ago (local time), so that the demo's
    online dossiers are from the last weeks and a sandbox restarted within the week serves the same items."""
    start = (today or date.today()) - timedelta(days=days)
    return datetime.combine(start - timedelta(days=start.weekday()), time(7, 30))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _tax_code(rng) -> str:
    while True:
        first = "0" + "".join(rng.choice("0123456789") for _ in range(8))
        check = 10 - sum(w * int(d) for w, d in zip(TAX_WEIGHTS, first)) % 11
        if check <= 9:
            return first + str(check)


def _citizen_id(rng, province: str) -> str:
    century = rng.choice([0, 1, 2, 3])
    year = rng.randint(60, 99) if century < 2 else rng.randint(0, 5)
    return f"0{province[-2:]}{century}{year:02d}{rng.randint(0, 999999):06d}"


def _person(rng) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _province(madonvi: str) -> str:
    parts = madonvi.split(".")
    return parts[2] if len(parts) >= 4 and parts[2].isdigit() else "01"


class Stream:
    """Item i of an office's stream, for i in [0, count): dated BASE + i·interval, code numbered per day."""

    def __init__(self, kind: str, interval: int, invalid_every: int = 0, base: datetime | None = None):
        self.kind, self.interval, self.invalid_every = kind, interval, invalid_every
        self.base = base or BASE

    def at(self, i: int) -> datetime:
        return self.base + timedelta(seconds=i * self.interval)

    def first_index_since(self, tungay: datetime) -> int:
        seconds = (tungay - self.base).total_seconds()
        return max(0, -int(-seconds // self.interval))  # ceil

    def count_until(self, moment: datetime) -> int:
        """How many items are dated at or before `moment` (a live feed serves only those: a few a day)."""
        return self.first_index_since(moment + timedelta(microseconds=1))

    def first_of_day(self, i: int) -> int:
        midnight = datetime.combine(self.at(i).date(), datetime.min.time())
        return self.first_index_since(midnight)

    def index_of(self, code: str) -> int | None:
        """Inverse of the code of a generated item (for TraCuuHoSo)."""
        try:
            day, number = code.rsplit("-", 2)[-2:]
            midnight = datetime.strptime(day, "%y%m%d")
            return self.first_index_since(midnight) + int(number) - 1
        except (ValueError, IndexError):
            return None

    def item(self, madonvi: str, i: int) -> dict:
        rng = random.Random(f"{self.kind}:{madonvi}:{i}")
        return self._dossier(madonvi, i, rng) if self.kind == "dossier" else self._pakn(madonvi, i, rng)

    def _dossier(self, madonvi, i, rng) -> dict:
        at, province = self.at(i), _province(madonvi)
        code = f"{madonvi}-{at:%y%m%d}-{i - self.first_of_day(i) + 1:04d}"
        procedure, name, _ = rng.choices(PROCEDURES, weights=[p[2] for p in PROCEDURES])[0]
        enterprise = procedure in ("1.009002", "1.009003") or (procedure == "1.009001" and rng.random() < 0.6)
        place = rng.choice(PLACES.get(province, ["Trung tâm"]))
        owner = rng.choice(COMPANIES).format(w=rng.choice(COMPANY_WORDS)) if enterprise else _person(rng)
        item = {
            "MaHoSo": code, "MaTTHC": procedure, "TenTTHC": name, "MaLinhVuc": "BHXH-THU",
            "TenLinhVuc": "Thu BHXH, BHYT", "KenhThucHien": 2, "ChuHoSo": owner,
            "LoaiDoiTuong": 2 if enterprise else 1, "MaDoiTuong": "",
            "SoGiayToChuHoSo": _tax_code(rng) if enterprise else _citizen_id(rng, province),
            "SoDienThoai": rng.choice(MOBILE) + f"{rng.randint(0, 9999999):07d}",
            "Email": f"lienhe{i}@example.vn" if rng.random() < 0.5 else "",
            "DiaChi": f"{place}, {PROVINCE_NAMES.get(province, 'Việt Nam')}",
            "TrichYeuHoSo": SUMMARIES[procedure].format(n=rng.randint(3, 300), m=rng.choice([3, 6, 12])),
            "NgayNopHoSo": stamp(at), "NgayTiepNhan": "", "NgayHenTra": "", "TrangThaiHoSo": 1, "NgayTra": "",
            "DonViXuLy": f"BHXH {PROVINCE_NAMES.get(province, madonvi)}", "GhiChu": "",
            "TaiLieuNop": [{"TepDinhKemId": f"{code}-1", "TenTepDinhKem": "Danh sách người lao động.pdf",
                            "DuongDanTaiTepTin": f"/files/{code}/ds.pdf"}],
        }
        if self.invalid_every and i % self.invalid_every == self.invalid_every - 1:
            self._defect(item, DEFECTS[(i // self.invalid_every) % len(DEFECTS)])
        return item

    @staticmethod
    def _defect(item, defect):
        """The kinds of bad data the real portal sends now and then (cf. dossiers_page_bad.json)."""
        if defect == "phone":
            item["SoDienThoai"] = item["SoDienThoai"][:6]
        elif defect == "date":
            raw = item["NgayNopHoSo"]
            item["NgayNopHoSo"] = f"{raw[:4]}-{raw[4:6]}-{raw[6:8]} {raw[8:10]}:{raw[10:12]}"
        elif defect == "procedure":
            item["MaTTHC"] = "9.999999"
        else:
            item["TrangThaiHoSo"] = 99

    def _pakn(self, madonvi, i, rng) -> dict:
        at, province = self.at(i), _province(madonvi)
        tag = "".join(p for p in madonvi.split(".")[1:3] if p.isdigit())
        title, content, field = rng.choice(PAKN_TOPICS)
        return {
            "MaPAKN": f"PAKN.{at:%Y%m%d}.{tag}{i - self.first_of_day(i) + 1:03d}", "TieuDe": title,
            "NoiDung": content, "MaLinhVuc": field, "HoTen": _person(rng),
            "SoDienThoai": rng.choice(MOBILE) + f"{rng.randint(0, 9999999):07d}", "Email": "",
            "DiaChi": f"{rng.choice(PLACES.get(province, ['Trung tâm']))}, {PROVINCE_NAMES.get(province, 'Việt Nam')}",
            "NgayGui": stamp(at), "MaHoSoLienQuan": "", "MaDonVi": madonvi,
        }
