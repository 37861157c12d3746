"""The gateway sandbox's own page: the messages it received, newest first (standard library only)."""
import html
import json


def render_messages(state) -> str:
    rows = []
    for message in reversed(state["messages"][-500:]):
        if message["channel"] == "sms":
            what = html.escape(message["content"])
            detail = f"RequestId {message['request_id']} · Unicode {message['is_unicode']}"
        else:
            what = (f"Mẫu {html.escape(message['template_id'])}: "
                    f"{html.escape(json.dumps(message['template_data'], ensure_ascii=False))}")
            detail = f"tracking_id {message['tracking_id']}"
        rows.append(f"<tr><td>{message['at']}</td><td>{message['channel'].upper()}</td>"
                    f"<td>{html.escape(message['phone'])}</td><td>{what}</td><td>{html.escape(detail)}</td></tr>")
    body = "".join(rows) or '<tr><td colspan="5">Chưa nhận tin nhắn nào.</td></tr>'
    return ("<!doctype html><html lang='vi'><head><meta charset='utf-8'><meta http-equiv='refresh' content='10'>"
            "<title>Cổng SMS và Zalo ZNS (giả lập)</title><style>body{font-family:sans-serif;margin:1.5rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;"
            "text-align:left;vertical-align:top}</style></head><body><h1>Cổng SMS và Zalo ZNS — môi trường giả lập"
            f"</h1><p>{len(state['messages'])} tin nhắn đã nhận; {len(state['refreshes'])} lần cấp lại access token"
            "; <a href='/messages.json'>JSON</a>.</p><table><tr><th>Thời điểm</th><th>Kênh</th><th>Số điện thoại</th>"
            f"<th>Nội dung</th><th>Mã yêu cầu</th></tr>{body}</table></body></html>")
