"""Seed the legal-basis sets (DOMAIN.md §2); a frozen copy of legal/defaults.py as it was when written."""
import datetime

from django.db import migrations

SETS = [{'name': 'Nghị định 61/2018 – Thông tư 01/2018 – Quyết định 2192',
  'valid_from': datetime.date(2018, 6, 21),
  'decree': 'Nghị định 61/2018/NĐ-CP',
  'circular': 'Thông tư 01/2018/TT-VPCP',
  'desk_rules': 'Quyết định 2192/QĐ-BHXH',
  'receipt_number': '01',
  'supplement_number': '02',
  'refusal_number': '03',
  'apology_number': '04',
  'control_number': '05',
  'book_number': '06',
  'receipt_title': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  'supplement_title': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  'refusal_title': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  'apology_title': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  'control_title': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  'book_title': 'Sổ theo dõi hồ sơ'},
 {'name': 'Nghị định 61/2018 (sửa đổi bởi Nghị định 107/2021) – Thông tư 01/2018 – Quyết định 2192',
  'valid_from': datetime.date(2021, 12, 6),
  'decree': 'Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP',
  'circular': 'Thông tư 01/2018/TT-VPCP',
  'desk_rules': 'Quyết định 2192/QĐ-BHXH',
  'receipt_number': '01',
  'supplement_number': '02',
  'refusal_number': '03',
  'apology_number': '04',
  'control_number': '05',
  'book_number': '06',
  'receipt_title': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  'supplement_title': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  'refusal_title': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  'apology_title': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  'control_title': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  'book_title': 'Sổ theo dõi hồ sơ'},
 {'name': 'Nghị định 61/2018 (sửa đổi bởi Nghị định 107/2021) – Thông tư 01/2018 – Quyết định 475',
  'valid_from': datetime.date(2023, 3, 27),
  'decree': 'Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP',
  'circular': 'Thông tư 01/2018/TT-VPCP',
  'desk_rules': 'Quyết định 475/QĐ-BHXH ngày 27/03/2023',
  'receipt_number': '01',
  'supplement_number': '02',
  'refusal_number': '03',
  'apology_number': '04',
  'control_number': '05',
  'book_number': '06',
  'receipt_title': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  'supplement_title': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  'refusal_title': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  'apology_title': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  'control_title': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  'book_title': 'Sổ theo dõi hồ sơ'},
 {'name': 'Nghị định 118/2025 – Quyết định 475',
  'valid_from': datetime.date(2025, 7, 1),
  'decree': 'Nghị định 118/2025/NĐ-CP',
  'circular': '',
  'desk_rules': 'Quyết định 475/QĐ-BHXH ngày 27/03/2023',
  'receipt_number': '',
  'supplement_number': '',
  'refusal_number': '',
  'apology_number': '',
  'control_number': '',
  'book_number': '',
  'receipt_title': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  'supplement_title': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  'refusal_title': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  'apology_title': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  'control_title': 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
  'book_title': 'Sổ theo dõi hồ sơ'}]


def seed(apps, schema_editor):
    LegalBasisSet = apps.get_model("legal", "LegalBasisSet")
    for row in SETS:
        LegalBasisSet.objects.get_or_create(valid_from=row["valid_from"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
