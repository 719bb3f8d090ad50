"""The review marks of a draft: what a person must check, worded for whoever reads it.

A ``Mark`` is a code and its values. The plan file carries its English wording (``en``), as
the rest of a plan file's notes; the dashboard shows the Vietnamese one (``vi``) to the
coordinator who uploaded the document. Every code has both (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = {"lead": "chủ trì", "support": "phối hợp", "recipient": "nhận báo cáo"}

WORDING: dict[str, tuple[str, str]] = {
    "no_issue_date": ("issue date not found: set issued_on", "Không tìm thấy ngày ban hành: điền issued_on."),
    "no_number": ("document number not found: set number", "Không tìm thấy số văn bản: điền number."),
    "no_title": ("title not found: set title", "Không tìm thấy trích yếu: điền title."),
    "period_assumed": ("the text states no period (neither in the title nor under a “Thời gian …” heading): from the issue date "
                       "to the end of next year assumed (or of the last year a deadline names); set period",
                       "Văn bản không nêu thời gian thực hiện (ở trích yếu hay mục “Thời gian …”): tạm tính từ ngày ban hành đến "
                       "hết năm sau (hoặc hết năm của thời hạn muộn nhất); sửa period."),
    "period_until_event": ("the period runs until an event (“{words}”): its end is not known, the end of next year assumed (or of "
                           "the last year a deadline names); set period.end when it is",
                           "Thời gian thực hiện kéo dài đến khi có sự kiện (“{words}”): chưa biết ngày kết thúc, tạm tính đến hết "
                           "năm sau (hoặc hết năm của thời hạn muộn nhất); sửa period.end khi biết."),
    "period_from_objectives": ("the text states no period; its aims run “{words}”: the period taken to end then; set period",
                               "Văn bản không nêu thời gian thực hiện; mục tiêu đặt “{words}”: tạm tính thời gian thực hiện đến đó; "
                               "sửa period."),
    "time_outside_period": ("the text's time “{words}” falls outside the plan's period: no deadline drafted; add it or correct the "
                            "period",
                            "Thời gian “{words}” nằm ngoài thời gian thực hiện kế hoạch: chưa tạo thời hạn; bổ sung hoặc sửa period."),
    "parent_guessed": ("parent guessed from “Thực hiện {kind} {number}”: {plan}",
                       "Kế hoạch cấp trên đoán từ “Thực hiện {kind} {number}”: {plan}."),
    "office_guessed": ("coordinating office guessed: {office} (the body that “theo dõi, đôn đốc, tổng hợp”); check it",
                       "Cơ quan thường trực đoán là {office} (cơ quan “theo dõi, đôn đốc, tổng hợp”): kiểm tra lại."),
    "issuer_unknown": ("issuing body “{words}” not in the registries; candidates: {candidates}",
                       "Cơ quan ban hành “{words}” chưa có trong danh mục; có thể là: {candidates}."),
    "no_lead": ("no lead unit found in the text: the coordinating office {office} set; who leads {section}?",
                "Không tìm thấy đơn vị chủ trì: tạm giao {office}; ai chủ trì mục {section}?"),
    "time_unread": ("time “{words}” not read: give the duty a timeframe or an obligation a due rule",
                    "Không đọc được thời gian “{words}”: ghi timeframe cho nhiệm vụ hoặc due cho sản phẩm."),
    "lead_not_read": ("the text names the lead “{words}” but it was read as no unit: the coordinating office {office} set; who leads "
                      "{section}?",
                      "Văn bản nêu đơn vị chủ trì “{words}” nhưng chưa xác định được đơn vị: tạm giao {office}; ai chủ trì mục {section}?"),
    "lead_other_province": ("the lead {unit} is a body of another province than the issuer's ({province}): check the text means it",
                            "Đơn vị chủ trì {unit} thuộc tỉnh, thành phố khác ({province} ban hành): kiểm tra lại."),
    "text_cut": ("the duty's text is cut at {kept} of its {length} characters: check where the duty ends (a heading or a list may "
                 "have run into it)",
                 "Nội dung nhiệm vụ bị cắt ở {kept}/{length} ký tự: kiểm tra nhiệm vụ kết thúc ở đâu (có thể đã gộp cả mục khác)."),
    "lead_missing": ("the text names no lead for {section}, only units that support it ({words}): who leads it?",
                     "Văn bản không nêu đơn vị chủ trì mục {section}, chỉ nêu đơn vị phối hợp ({words}): ai chủ trì?"),
    "lead_from_bullets": ("{section} names no lead for the whole; the bodies its bullets open with (“{words}”) are set as its "
                          "leads: check who leads it, or make each bullet a duty of its own",
                          "Mục {section} không nêu đơn vị chủ trì chung; tạm giao các đơn vị nêu ở đầu các gạch đầu dòng (“{words}”): "
                          "kiểm tra đơn vị chủ trì, hoặc tách mỗi gạch đầu dòng thành một nhiệm vụ."),
    "lead_from_support": ("the duty names no lead: its support units (or the office) set as owing it",
                          "Nhiệm vụ không nêu đơn vị chủ trì: tạm giao các đơn vị phối hợp (hoặc cơ quan thường trực)."),
    "recipient_guessed": ("recipient not in the text: the coordinating office {office} guessed",
                          "Văn bản không nêu nơi nhận: tạm ghi cơ quan thường trực {office}."),
    "time_in_bullet": ("the time “{words}” is read in one of the duty's bullets (“- …”): check it is the whole duty's, or make that "
                       "bullet a duty of its own",
                       "Thời gian “{words}” nằm trong một gạch đầu dòng của nhiệm vụ: kiểm tra đó là thời gian của cả nhiệm vụ, "
                       "hoặc tách gạch đầu dòng đó thành nhiệm vụ riêng."),
    "running_duty": ("this may be a running duty rather than a deliverable (the text also says it goes on)",
                     "Có thể là nhiệm vụ thường xuyên chứ không phải sản phẩm có thời hạn (văn bản ghi thực hiện liên tục)."),
    "unit_not_found": ("{named_as} “{words}” not in the registries: a draft entry {unit} was made{candidates}; check the entry",
                       "Đơn vị {named_as_vi} “{words}” chưa có trong danh mục: đã tạo mục nháp {unit}{candidates_vi}; kiểm tra mục nháp."),
    "lead_maybe_registered": ("the lead “{words}” is no registered name, but this province's {name} may be the body meant: a draft "
                              "entry {unit} was made; set {name} as the lead if it is",
                              "Đơn vị chủ trì “{words}” không trùng tên đơn vị nào trong danh mục, nhưng có thể là {name} của tỉnh: "
                              "đã tạo mục nháp {unit}; nếu đúng là {name}, sửa đơn vị chủ trì."),
    "unit_by_prefix": ("{role} “{words}” read as {unit}, whose name begins so; check it",
                       "Đơn vị {role_vi} “{words}” được hiểu là {unit} (tên đầy đủ bắt đầu như vậy): kiểm tra lại."),
    "class_without_group": ("{role} “{words}” names a class of units with no group in the registries: add one (groups:) or list them",
                            "Đơn vị {role_vi} “{words}” là một nhóm chưa có trong danh mục: thêm nhóm (groups:) hoặc liệt kê từng đơn vị."),
    "new_group": ("{role} “{words}” names a class of units the registries have no group for: a draft group {name} was made "
                  "(every unit of that kind under {unit}); check it",
                  "Đơn vị {role_vi} “{words}” là một nhóm chưa có trong danh mục: đã tạo nhóm nháp {name} (các đơn vị loại đó "
                  "thuộc {unit}); kiểm tra lại."),
    "new_unit": ("new unit “{name}”: check its name, kind and place in the tree, and add its contacts{candidates}",
                 "Đơn vị mới “{name}”: kiểm tra tên, loại, cấp trên và thêm địa chỉ liên hệ{candidates_vi}."),
    "receiver_excluded": ("{unit} receives this report, so it is not among those owing it (as the text sends it to {unit}); check it",
                          "{unit} là nơi nhận báo cáo nên không tính là đơn vị phải gửi: kiểm tra lại."),
    "self_report": ("{unit} would be the only unit owing this report and the one it is sent to: the draft leaves the recipient "
                    "out; name who owes it and where it goes",
                    "{unit} vừa là đơn vị duy nhất phải gửi vừa là nơi nhận báo cáo: bản nháp bỏ trống nơi nhận; xác định đơn vị gửi "
                    "và nơi nhận."),
    "unit_excluded": ("the text excludes {unit} (“trừ …”): it is not among the units; check the group it would belong to",
                      "Văn bản loại trừ {unit} (“trừ …”): đơn vị này không được giao; kiểm tra nhóm đơn vị liên quan."),
    "group_missing": ("the table's numbering starts again before {section}: a group's heading is missing from the text; name the section",
                      "Bảng đánh số lại từ đầu trước mục {section}: thiếu tiêu đề một nhóm trong văn bản; đặt lại số mục."),
    "table_unread": ("the table at {where} (columns: {columns}) was not read: no column of tasks (“Nội dung”, “Nhiệm vụ”) "
                     "with units or times was recognised; encode its rows by hand",
                     "Bảng ở {where} (các cột: {columns}) chưa được đọc: không nhận ra cột nội dung nhiệm vụ kèm đơn vị "
                     "hoặc thời gian; đề nghị nhập các dòng của bảng."),
    "targets_table_unread": ("the table at {where} (columns: {columns}) looks like a table of targets: encode them under "
                             "indicators: and targets: by hand",
                             "Bảng ở {where} (các cột: {columns}) là bảng chỉ tiêu: đề nghị nhập vào indicators: và targets:."),
    "day_without_year": ("the text gives a day without a year in a recurring clause (“định kỳ”, “hằng năm”): read as every year",
                         "Văn bản nêu ngày mà không nêu năm, trong câu có “định kỳ”/“hằng năm”: hiểu là hằng năm."),
    "year_inferred": ("the text gives the day without a year: {words} taken (the first such day after the issue date); check the year",
                      "Văn bản nêu ngày mà không nêu năm: tạm hiểu là {words} (ngày đó gần nhất sau ngày ban hành); kiểm tra lại năm."),
    "table_skipped": ("the table at {where} (columns: {columns}) is a {kind_en} table: no duty was drafted from it; "
                      "check that none of its rows is a task",
                      "Bảng ở {where} (các cột: {columns}) là bảng {kind_vi}: không lập nhiệm vụ từ bảng này; kiểm tra lại "
                      "nếu có dòng nào là nhiệm vụ."),
    "indicator_from_table": ("indicator drafted from the target table at {where} ({words}; unit responsible: {unit}): "
                             "to track it, add a target under targets: (value, by, the units responsible and the report "
                             "that carries it); else delete it",
                             "Chỉ tiêu lấy từ bảng chỉ tiêu ở {where} ({words}; đơn vị chịu trách nhiệm: {unit}): nếu cần theo dõi, "
                             "thêm vào targets: (giá trị, thời hạn, đơn vị chịu trách nhiệm và báo cáo kèm theo); nếu không, xóa chỉ tiêu."),
    "target_guessed": ("target drafted from the table's “{words}”: its day (the end of the column's year, else of the plan), "
                       "its units ({unit}) and the report that carries it ({name}) are guesses; check them",
                       "Mục tiêu lấy từ bảng chỉ tiêu (“{words}”): thời hạn (cuối năm của cột, nếu không thì cuối kỳ kế hoạch), "
                       "đơn vị chịu trách nhiệm ({unit}) và báo cáo kèm theo ({name}) là suy đoán; kiểm tra lại."),
    "period_day_assumed": ("the text gives the period but not the day: Decree 09/2019's cut-off (the 14th) and the 15th assumed",
                           "Văn bản nêu kỳ báo cáo mà không nêu ngày: tạm theo Nghị định 09/2019 (chốt số liệu ngày 14, gửi ngày 15)."),
    "period_day_unread": ("the text gives a day (“{words}”) the draft could not place in the reporting period: Decree 09/2019's "
                          "cut-off (the 14th) and the 15th set; set the day the text gives",
                          "Văn bản có nêu ngày (“{words}”) nhưng bản nháp chưa xác định được ngày đó trong kỳ báo cáo: tạm theo Nghị định "
                          "09/2019 (chốt ngày 14, gửi ngày 15); sửa lại theo ngày văn bản nêu."),
    "on_request_assumed": ("a report on request: five working days assumed", "Báo cáo khi có yêu cầu: tạm cho 05 ngày làm việc."),
    "no_duties": ("no duty was found in the text (no numbered item under a part that assigns work, no task table read): "
                  "encode the duties by hand, or check that the whole document was read",
                  "Không tìm thấy nhiệm vụ nào trong văn bản (không có mục đánh số thuộc phần giao nhiệm vụ, không đọc được bảng "
                  "nhiệm vụ): đề nghị nhập các nhiệm vụ hoặc kiểm tra văn bản đã được đọc đầy đủ chưa."),
    "waits_on_event": ("a time that waits on an event: held as a running duty until it happens",
                       "Thời gian phụ thuộc một sự kiện: theo dõi như nhiệm vụ thường xuyên cho đến khi sự kiện xảy ra."),
}


@dataclass(frozen=True)
class Mark:
    code: str
    values: dict = field(default_factory=dict, hash=False, compare=False)

    def _values(self) -> dict:
        values = dict(self.values)
        role = values.get("role")
        if role is not None:
            values["role_vi"] = ROLES.get(role, role)
        named_as = values.get("named_as")  # the role a body is named in, where the mark is about the body, not the role
        if named_as is not None:
            values["named_as_vi"] = ROLES.get(named_as, named_as)
        kind = values.get("kind")
        if kind is not None:
            values["kind_en"] = {"budget": "budget", "coordinates": "coordinates"}.get(kind, kind)
            values["kind_vi"] = {"budget": "kinh phí", "coordinates": "tọa độ"}.get(kind, kind)
        listed = values.get("candidates")
        if isinstance(listed, (list, tuple)):
            values["candidates"] = f"; or one of {', '.join(listed)}" if listed else ""
            values["candidates_vi"] = f"; hoặc một trong {', '.join(listed)}" if listed else ""
        return values

    @property
    def en(self) -> str:
        return WORDING[self.code][0].format(**self._values())

    @property
    def vi(self) -> str:
        return WORDING[self.code][1].format(**self._values())

    def __str__(self) -> str:
        return self.en


def mark(code: str, **values) -> Mark:
    if code not in WORDING:
        raise KeyError(f"no wording for the review mark {code!r}")
    return Mark(code, values)
