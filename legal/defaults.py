"""The legal-basis sets the product ships with (DOMAIN.md §2). The data migration stores a frozen copy of this
list; the selector falls back to it only when the table is empty (a freshly flushed test database).

Dates (each the day the text took effect):
- 21/06/2018  Decree 61/2018/NĐ-CP (signed 23/04/2018) with the forms of Circular 01/2018/TT-VPCP (signed
  23/11/2018, in force 08/01/2019; the forms are printed for any earlier date too, there being no other);
  desk rules Decision 2192/QĐ-BHXH;
- 06/12/2021  Decree 107/2021/NĐ-CP amends 61/2018 (same forms);
- 27/03/2023  Decision 475/QĐ-BHXH replaces 2192 for BHXH's desks;
- 01/07/2025  Decree 118/2025/NĐ-CP replaces 61/2018 and 107/2021; form numbers blank until the Legal
  Department enters them (a slip then prints its title without a number).
"""
from datetime import date

CIRCULAR_2018 = "Thông tư 01/2018/TT-VPCP"
FORMS_2018 = {"receipt_number": "01", "supplement_number": "02", "refusal_number": "03", "apology_number": "04",
              "control_number": "05", "book_number": "06"}
FORMS_BLANK = {key: "" for key in FORMS_2018}
TITLES = {
    "receipt_title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "supplement_title": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refusal_title": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "apology_title": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "control_title": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "book_title": "Sổ theo dõi hồ sơ",
}

SETS = [
    {"name": "Nghị định 61/2018 – Thông tư 01/2018 – Quyết định 2192", "valid_from": date(2018, 6, 21),
     "decree": "Nghị định 61/2018/NĐ-CP", "circular": CIRCULAR_2018, "desk_rules": "Quyết định 2192/QĐ-BHXH",
     **FORMS_2018, **TITLES},
    {"name": "Nghị định 61/2018 (sửa đổi bởi Nghị định 107/2021) – Thông tư 01/2018 – Quyết định 2192",
     "valid_from": date(2021, 12, 6),
     "decree": "Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
     "circular": CIRCULAR_2018, "desk_rules": "Quyết định 2192/QĐ-BHXH", **FORMS_2018, **TITLES},
    {"name": "Nghị định 61/2018 (sửa đổi bởi Nghị định 107/2021) – Thông tư 01/2018 – Quyết định 475",
     "valid_from": date(2023, 3, 27),
     "decree": "Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
     "circular": CIRCULAR_2018, "desk_rules": "Quyết định 475/QĐ-BHXH ngày 27/03/2023", **FORMS_2018, **TITLES},
    {"name": "Nghị định 118/2025 – Quyết định 475", "valid_from": date(2025, 7, 1),
     "decree": "Nghị định 118/2025/NĐ-CP", "circular": "", "desk_rules": "Quyết định 475/QĐ-BHXH ngày 27/03/2023",
     **FORMS_BLANK, **TITLES},
]
