"""Reason codes for everything the workbook ingest refuses, with the Vietnamese an agency reads.

Only what cannot be read is refused here: judgements of readable values (ranges, numerator ≤ denominator,
value vs ratio) are data-quality checks with their own home (`expectations/config.yaml`).

Codes are stable identifiers (dq checks, dbt models and tests match on them); the Vietnamese text is what
lands in `audit.quarantine.reason_vi`, in `audit.submissions.message` and in the feedback workbook. Keeping
both in one table means a new problem cannot be added without saying, in Vietnamese, how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    reason_vi: str  # what is wrong
    fix_vi: str  # what the agency should do


_REASONS = [
    # Whole-file problems (audit.submissions.status = 'rejected').
    Reason("empty_file", "Tệp rỗng (0 byte)", "Gửi lại tệp Excel đã điền số liệu."),
    Reason(
        "oversized",
        "Tệp quá lớn so với giới hạn cho phép",
        "Chỉ gửi biểu mẫu số liệu, xóa ảnh và trang tính không cần thiết rồi gửi lại.",
    ),
    Reason(
        "zip_bomb",
        "Tệp có cấu trúc nén bất thường (dung lượng giải nén quá lớn), hệ thống không mở để đảm bảo an toàn",
        "Mở biểu mẫu gốc, chép số liệu vào và lưu lại dưới dạng .xlsx rồi gửi lại.",
    ),
    Reason(
        "encrypted",
        "Tệp được đặt mật khẩu (mã hóa), hệ thống không đọc được",
        "Gỡ mật khẩu mở tệp (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.",
    ),
    Reason(
        "legacy_xls",
        "Tệp ở định dạng Excel cũ (.xls)",
        "Lưu lại tệp dưới dạng Sổ làm việc Excel (.xlsx) rồi gửi lại.",
    ),
    Reason(
        "not_workbook",
        "Tệp không phải là sổ làm việc Excel (.xlsx)",
        "Gửi đúng tệp biểu mẫu Excel (.xlsx) đã điền số liệu.",
    ),
    Reason(
        "corrupt",
        "Tệp bị hỏng, không mở được",
        "Mở lại tệp trên máy của đơn vị, lưu lại dưới dạng .xlsx và gửi lại.",
    ),
    Reason(
        "unknown_identity",
        "Không xác định được kế hoạch, ngành, năm báo cáo của tệp",
        "Dùng đúng biểu mẫu do cơ quan tổng hợp phát hành, không xóa dòng tiêu đề.",
    ),
    Reason(
        "no_header",
        "Không tìm thấy dòng tiêu đề cột (STT, Tên địa bàn, Tử số, Mẫu số, Giá trị)",
        "Dùng đúng biểu mẫu, giữ nguyên các dòng tiêu đề cột.",
    ),
    Reason(
        "no_task_sheet",
        "Không tìm thấy trang 'Nhiệm vụ' (cột Mã nhiệm vụ, Tình trạng) trong biểu báo cáo nhiệm vụ",
        "Dùng đúng biểu mẫu, giữ nguyên trang 'Nhiệm vụ' và dòng tiêu đề cột của trang.",
    ),
    Reason(
        "unsafe_xml",
        "Tệp chứa khai báo XML không an toàn (DOCTYPE/ENTITY), hệ thống không mở để đảm bảo an toàn",
        "Mở biểu mẫu gốc, chép số liệu vào và lưu lại dưới dạng .xlsx bằng Excel rồi gửi lại.",
    ),
    Reason(
        "sheet_too_large",
        "Trang tính có ô dữ liệu nằm quá xa vùng biểu mẫu, vùng cần đọc quá lớn",
        "Xóa các ô thừa ở xa bảng số liệu (chi tiết ghi ô xa nhất) rồi lưu và gửi lại.",
    ),
    Reason(
        "too_many_strings",
        "Tệp chứa quá nhiều chữ so với một biểu báo cáo, hệ thống không mở để đảm bảo an toàn",
        "Chỉ gửi biểu mẫu số liệu, xóa các trang tính không cần thiết rồi gửi lại.",
    ),
    Reason(
        "worker_died",
        "Hệ thống không đọc được tệp: quá trình đọc tệp bị dừng bất thường",
        "Mở lại tệp bằng Excel, lưu lại dưới dạng .xlsx và gửi lại; liên hệ nếu lỗi lặp lại.",
    ),
    Reason(
        "conflicting_sheets",
        "Tệp có nhiều trang số liệu theo biểu mẫu với số liệu khác nhau, không xác định được trang nào đúng",
        "Giữ lại một trang số liệu đúng (xóa các trang bản sao, bản cũ) rồi gửi lại.",
    ),
    Reason(
        "no_values",
        "Tệp không có số liệu hay báo cáo nhiệm vụ nào được ghi nhận (tệp trống), không thay thế tệp đã gửi",
        "Điền số liệu vào biểu mẫu (trang 'Số liệu') rồi gửi lại; tệp đã gửi trước vẫn giữ nguyên.",
    ),
    Reason(
        "load_failed",
        "Lỗi hệ thống khi ghi số liệu, chưa có số liệu nào của tệp được ghi nhận",
        "Không cần sửa tệp; cơ quan tổng hợp sẽ nạp lại. Liên hệ nếu lỗi kéo dài.",
    ),
    # Cell problems (audit.quarantine).
    Reason(
        "unparseable_number",
        "Không đọc được số",
        "Nhập một số, ví dụ 9,5 hoặc 98; để trống hoặc ghi '-' nếu không có số liệu.",
    ),
    Reason(
        "unit_mismatch",
        "Đơn vị ghi trong ô không khớp với đơn vị của chỉ tiêu",
        "Nhập số theo đơn vị ghi ở tiêu đề cột, không ghi kèm ký hiệu đơn vị khác.",
    ),
    Reason(
        "format_unit_mismatch",
        "Ô được định dạng phần trăm (%) hoặc phần nghìn (‰) trong cột có đơn vị khác, không rõ ý nghĩa số",
        "Bỏ định dạng %/‰ của ô (Định dạng ô > Số) và nhập số theo đơn vị ghi ở tiêu đề cột.",
    ),
    Reason(
        "uncached_formula",
        "Ô chứa công thức chưa được tính (không có giá trị), không đọc được số",
        "Mở tệp bằng Excel để công thức được tính rồi lưu lại, hoặc nhập trực tiếp số liệu.",
    ),
    Reason(
        "second_total_row",
        "Dòng tổng thứ hai với số liệu khác dòng tổng thứ nhất",
        "Chỉ giữ một dòng tổng (Tổng cộng) cho toàn địa bàn; xóa dòng tổng còn lại.",
    ),
    Reason(
        "incomplete_rate",
        "Thiếu tử số hoặc mẫu số, không tính được giá trị",
        "Nhập đủ cả tử số và mẫu số, hoặc nhập giá trị.",
    ),
    Reason(
        "unknown_locality",
        "Không xác định được địa bàn",
        "Ghi đúng tên địa bàn theo danh sách trong biểu mẫu, không thêm dòng địa bàn mới.",
    ),
    Reason(
        "outside_data_area",
        "Ô ngoài vùng dữ liệu, không được ghi nhận",
        "Chỉ nhập số liệu vào các cột Tử số, Mẫu số, Giá trị của biểu mẫu; ghi chú gửi kèm văn bản.",
    ),
    Reason(
        "unknown_indicator",
        "Cột chỉ tiêu không có trong biểu mẫu của ngành",
        "Chỉ điền các chỉ tiêu có sẵn trong biểu mẫu; không thêm cột chỉ tiêu mới.",
    ),
    Reason(
        "duplicate_row",
        "Địa bàn xuất hiện nhiều lần trong biểu",
        "Mỗi địa bàn chỉ ghi một dòng; xóa dòng trùng.",
    ),
    # Task-sheet problems (audit.quarantine, sheet 'Nhiệm vụ').
    Reason(
        "unknown_task_status",
        "Tình trạng thực hiện nhiệm vụ không đúng danh mục",
        "Chọn một trong ba tình trạng trong danh sách: 'Đã hoàn thành', 'Đang triển khai', "
        "'Chưa triển khai'; không ghi tình trạng khác.",
    ),
    Reason(
        "unknown_task",
        "Mã nhiệm vụ không có trong kế hoạch",
        "Giữ nguyên mã và nội dung nhiệm vụ của biểu mẫu; không thêm dòng nhiệm vụ mới.",
    ),
    Reason(
        "duplicate_task_row",
        "Nhiệm vụ xuất hiện nhiều lần trong biểu",
        "Mỗi nhiệm vụ chỉ ghi một dòng; xóa dòng trùng.",
    ),
    Reason(
        "task_report_without_status",
        "Có kết quả thực hiện hoặc minh chứng nhưng chưa chọn tình trạng thực hiện nhiệm vụ",
        "Chọn tình trạng ở cột 'Tình trạng' ('Đã hoàn thành', 'Đang triển khai' hoặc 'Chưa triển khai').",
    ),
]

REASONS: dict[str, Reason] = {r.code: r for r in _REASONS}


def reason_vi(code: str) -> str:
    return REASONS[code].reason_vi


def fix_vi(code: str) -> str:
    return REASONS[code].fix_vi
