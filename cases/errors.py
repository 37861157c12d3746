"""Coded domain errors of the dossier lifecycle and the apology slip. The API returns {"code", "detail"};
the UI shows `detail`, translated at render time."""
from django.utils.translation import gettext_lazy as _

from core.errors import CoreError, DomainError, ErrorCode  # noqa: F401 - re-exported for callers


class DossierError(ErrorCode):
    ACTION_NOT_ALLOWED = ("ACTION_NOT_ALLOWED", _("Không thể thực hiện “%(action)s” với hồ sơ đang ở trạng thái "
                                                  "“%(status)s”."), 409)
    SUPPLEMENT_ALREADY_REQUESTED = ("SUPPLEMENT_ALREADY_REQUESTED",
                                    _("Hồ sơ đã được yêu cầu bổ sung; theo quy định chỉ yêu cầu bổ sung một lần."), 409)
    PROCEDURE_INACTIVE = "PROCEDURE_INACTIVE", _("Thủ tục này đã ngừng áp dụng."), 400
    CHANNEL_NOT_OFFERED = "CHANNEL_NOT_OFFERED", _("Thủ tục này không tiếp nhận qua kênh “%(channel)s”."), 400
    OFFICE_HAS_NO_AGENCY_CODE = ("OFFICE_HAS_NO_AGENCY_CODE",
                                 _("%(office)s chưa có mã định danh điện tử, chưa thể cấp mã hồ sơ."), 409)
    OFFICE_OUT_OF_SCOPE = "OFFICE_OUT_OF_SCOPE", _("Bạn không thuộc đơn vị này."), 403
    USER_WITHOUT_OFFICE = "OFFICE_OUT_OF_SCOPE", _("Tài khoản chưa gắn với đơn vị nào."), 400
    OFFICE_NOT_HANDLING = "OFFICE_OUT_OF_SCOPE", _("Bạn không thuộc đơn vị giải quyết hồ sơ này."), 403
    RECEIVED_IN_FUTURE = "RECEIVED_IN_FUTURE", _("Thời điểm tiếp nhận không được ở tương lai."), 400
    RECEIVED_TOO_EARLY = "RECEIVED_TOO_EARLY", _("Thời điểm tiếp nhận phải từ năm %(year)s."), 400
    ASSIGNEE_INVALID = ("ASSIGNEE_INVALID", _("Không thể giao hồ sơ cho “%(username)s”: người này không thuộc đơn vị "
                                              "giải quyết hồ sơ."), 400)
    OUTCOME_INVALID = ("OUTCOME_INVALID",
                       _("Kết quả phải là “approved” (chấp thuận) hoặc “rejected” (không chấp thuận)."), 400)
    CODE_CONFLICT = "CONFLICT", _("Xung đột khi cấp mã hồ sơ, vui lòng thử lại."), 409
    NOT_FOUND_FOR_PHONE = "NOT_FOUND", _("Không tìm thấy hồ sơ với mã và số điện thoại này."), 404
    # REASON_REQUIRED: a written reason or list is missing; each message says which one.
    REASON_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi rõ lý do."), 400
    SUPPLEMENT_DOCUMENTS_REQUIRED = "REASON_REQUIRED", _("Vui lòng liệt kê các giấy tờ cần bổ sung."), 400
    HANDOVER_UNIT_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi đơn vị nhận hồ sơ."), 400
    SUPPLEMENT_REQUEST_INCOMPLETE = ("REASON_REQUIRED", _("Phiếu yêu cầu bổ sung phải nêu lý do và liệt kê đầy đủ "
                                                          "giấy tờ cần bổ sung."), 400)
    DOCUMENT_NOT_IN_CHECKLIST = ("DOCUMENT_NOT_IN_CHECKLIST",
                                 _("Không có giấy tờ số %(items)s trong thành phần hồ sơ của thủ tục."), 400)
    REJECTION_REASON_REQUIRED = "REASON_REQUIRED", _("Không chấp thuận thì phải nêu rõ lý do bằng văn bản."), 400
    REFUSAL_REASON_REQUIRED = "REASON_REQUIRED", _("Từ chối phải nêu rõ lý do."), 400
    WITHDRAWAL_REASON_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi lý do rút hồ sơ."), 400
    APOLOGY_REASON_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi rõ lý do chậm trả kết quả."), 400
    # The apology and new-appointment slip (Decision 468/QĐ-TTg Art. 14 §2).
    APOLOGY_SIGNER_REQUIRED = ("APOLOGY_SIGNER_REQUIRED",
                               _("Chỉ Giám đốc hoặc Phó Giám đốc của đơn vị được ký, phát hành phiếu xin lỗi."), 403)
    APOLOGY_NOT_ALLOWED = ("APOLOGY_NOT_ALLOWED", _("Không thể lập phiếu xin lỗi cho hồ sơ đang ở trạng thái "
                                                    "“%(status)s”: chỉ hồ sơ đang giải quyết mới được hẹn lại."), 409)
    APOLOGY_ALREADY_ISSUED = "APOLOGY_NOT_ALLOWED", _("Phiếu này đã được ký, phát hành (%(number)s)."), 409
    APOLOGY_LIMIT_REACHED = ("APOLOGY_LIMIT_REACHED", _("Hồ sơ đã được hẹn lại %(count)s lần; theo quy định chỉ được "
                                                        "hẹn lại %(limit)s lần."), 409)
    APOLOGY_DATE_REQUIRED = "APOLOGY_DATE_INVALID", _("Vui lòng nhập ngày hẹn trả kết quả mới."), 400
    APOLOGY_DATE_NOT_LATER = ("APOLOGY_DATE_INVALID",
                              _("Ngày hẹn mới phải sau ngày hẹn hiện tại (%(current)s)."), 400)
    APOLOGY_DATE_PAST = "APOLOGY_DATE_INVALID", _("Ngày hẹn mới phải ở tương lai."), 400
    APOLOGY_DATE_OUT_OF_CALENDAR = "APOLOGY_DATE_INVALID", _("Ngày %(day)s nằm ngoài lịch làm việc đã có."), 400
    APOLOGY_DATE_NOT_WORKING = ("APOLOGY_DATE_INVALID",
                                _("Ngày %(day)s không phải ngày làm việc; vui lòng chọn ngày làm việc."), 400)
    # Rule versions (DOMAIN.md §8) and the supplement window (§2.3).
    PROCEDURE_NOT_IN_FORCE = ("PROCEDURE_CLOSED",
                              _("Thủ tục %(procedure)s chưa có quy định áp dụng vào ngày %(day)s."), 409)
    PROCEDURE_CLOSED = ("PROCEDURE_CLOSED", _("Thủ tục %(procedure)s đã ngừng tiếp nhận hồ sơ từ %(since)s."), 409)
    SUPPLEMENT_WINDOW_PASSED = ("SUPPLEMENT_WINDOW_PASSED",
                                _("Đã quá thời hạn yêu cầu bổ sung hồ sơ (%(days)s ngày làm việc kể từ khi tiếp nhận, "
                                  "và không sau hạn giải quyết; hạn cuối %(closes)s). Cơ quan phải gửi phiếu xin lỗi "
                                  "và hẹn lại ngày trả kết quả thay vì yêu cầu bổ sung."), 409)
    VERSION_IN_USE = ("VERSION_IN_USE", _("Phiên bản áp dụng từ %(day)s đã có hồ sơ sử dụng: phiên bản mới phải "
                                          "áp dụng từ sau ngày đó."), 409)
    VERSION_AFTER_RECEIPTS = ("VERSION_IN_USE", _("Đã có hồ sơ tiếp nhận từ ngày %(day)s: phiên bản mới phải áp dụng "
                                                  "từ một ngày sau đó."), 409)
    VERSION_EXISTS = "VERSION_IN_USE", _("Đã có phiên bản áp dụng từ %(day)s."), 409
    # Historical moments (the services' `at=`, the history import of CONTRACTS.md §1.1).
    MOMENT_IN_FUTURE = ("MOMENT_IN_FUTURE", _("Thời điểm %(at)s ở tương lai: lịch sử hồ sơ chỉ ghi những việc đã "
                                              "xảy ra."), 400)
    MOMENT_BEFORE_LAST_EVENT = ("MOMENT_OUT_OF_ORDER", _("Thời điểm %(at)s trước sự kiện gần nhất của hồ sơ "
                                                         "(%(last)s): lịch sử hồ sơ chỉ ghi tiếp theo thứ tự thời "
                                                         "gian."), 409)
    # The `return` action's channel (CONTRACTS.md §1.3).
    RETURN_CHANNEL_INVALID = ("RETURN_CHANNEL_INVALID", _("Hình thức trả kết quả phải là một trong: %(channels)s."),
                              400)
    BULK_DECISION_INVALID = ("ACTION_NOT_ALLOWED", _("Chỉ có thể tiếp nhận hoặc từ chối nhiều hồ sơ cùng lúc."),
                             400)
    # The intake checklist and the applicant's details taken at intake (issue 12, cases.checklist).
    DOCUMENTS_MISSING = ("DOCUMENTS_MISSING", _("Chưa đủ giấy tờ bắt buộc, còn thiếu: %(items)s."), 400)
    DOCUMENT_UNKNOWN = ("DOCUMENTS_MISSING",
                        _("Giấy tờ không có trong thành phần hồ sơ của thủ tục: %(items)s."), 400)
    INTAKE_DETAIL_INVALID = "INTAKE_DETAIL_INVALID", _("Thông tin không hợp lệ (%(field)s): %(error)s"), 400
    POSTAL_ADDRESS_REQUIRED = ("INTAKE_DETAIL_INVALID",
                               _("Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính."), 400)
    # Separation of duties (issue 12, cases.services.duties).
    RESULT_APPROVAL_REQUIRED = ("RESULT_APPROVAL_REQUIRED",
                                _("Quy định áp dụng cho hồ sơ này yêu cầu trưởng phòng nghiệp vụ duyệt kết quả trước "
                                  "khi ghi kết quả."), 409)
    RESULT_APPROVAL_NOT_ASKED = ("ACTION_NOT_ALLOWED",
                                 _("Quy định áp dụng cho hồ sơ này không có bước duyệt kết quả."), 409)
    RESULT_ALREADY_APPROVED = "ACTION_NOT_ALLOWED", _("Kết quả của hồ sơ đã được duyệt."), 409
    # The applicant's satisfaction (CONTRACTS.md `rating`) and messages (issue 12).
    RATING_EXISTS = "RATING_EXISTS", _("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."), 409
    RATING_NOT_YET = ("RATING_NOT_YET", _("Chỉ đánh giá được khi hồ sơ đã có kết quả."), 409)
    RATING_LEVEL_INVALID = ("RATING_LEVEL_INVALID",
                            _("Mức độ hài lòng phải là “satisfied”, “acceptable” hoặc “dissatisfied”."), 400)
    CONTACT_CHANNEL_INVALID = ("INTAKE_DETAIL_INVALID", _("Kênh nhận thông báo phải là một trong: %(channels)s."),
                               400)
    MESSAGE_NOT_RETRYABLE = ("MESSAGE_NOT_RETRYABLE",
                             _("Chỉ gửi lại được thông báo đã gửi không thành công của hồ sơ này."), 409)


class HistoryError(ErrorCode):
    """Why a line of `manage.py import_history` (CONTRACTS.md §1.1) is rejected, besides the services' own rules."""

    BAD_JSON = "HISTORY_BAD_LINE", _("Dòng không phải JSON hợp lệ (%(error)s)."), 400
    NOT_AN_OBJECT = "HISTORY_BAD_LINE", _("Mỗi dòng phải là một đối tượng JSON (một hồ sơ)."), 400
    FIELD_MISSING = "HISTORY_BAD_LINE", _("Thiếu trường “%(field)s”."), 400
    FIELD_INVALID = "HISTORY_BAD_LINE", _("Trường “%(field)s” không hợp lệ: %(error)s"), 400
    MOMENT_INVALID = ("HISTORY_BAD_LINE", _("Trường “%(field)s” phải là thời điểm ISO 8601 có múi giờ "
                                            "(ví dụ 2025-04-24T09:00:00+07:00)."), 400)
    UNKNOWN_OFFICE = "HISTORY_UNKNOWN", _("Không có đơn vị mã “%(code)s”."), 400
    UNKNOWN_PROCEDURE = "HISTORY_UNKNOWN", _("Không có thủ tục mã “%(code)s”."), 400
    UNKNOWN_ACTOR = "HISTORY_UNKNOWN", _("Không có người dùng “%(username)s”."), 400
    ACTOR_OUT_OF_SCOPE = "HISTORY_UNKNOWN", _("Người dùng “%(username)s” không thuộc %(office)s."), 400
    UNKNOWN_ACTION = "HISTORY_UNKNOWN", _("Không có thao tác “%(action)s” trong lịch sử hồ sơ."), 400
    NO_EVENTS = "HISTORY_BAD_LINE", _("Hồ sơ không có sự kiện nào."), 400
    FIRST_NOT_RECEIVE = "HISTORY_BAD_LINE", _("Sự kiện đầu tiên phải là “receive” (tiếp nhận hồ sơ)."), 400
    RECEIVE_AGAIN = "HISTORY_BAD_LINE", _("Chỉ sự kiện đầu tiên được là “receive”."), 400
    CODE_INVALID = ("HISTORY_CODE", _("Mã hồ sơ “%(code)s” không đúng định dạng <mã định danh cơ quan>-<YYMMDD>-"
                                      "<số thứ tự 4 chữ số>."), 400)
    CODE_TAKEN = ("HISTORY_CODE", _("Mã hồ sơ “%(code)s” đã được dùng cho một hồ sơ khác (đơn vị hoặc người nộp "
                                    "khác)."), 409)
    IN_EVENT = "HISTORY_EVENT", _("sự kiện %(number)s (%(action)s, %(at)s): %(reason)s"), 400
