"""A unit's page says what moved a deadline and what the plan file assumes (over plain HTTP)."""

import httpx
import pytest

from plantrack.accounts import Role, add_account
from plantrack.keys import demo_keyring
from plantrack.loader import load_catalogue
from plantrack.store.sync import sync_catalogue
from plantrack.testing import serving
from plantrack.web.app import create_app

from .conftest import vn
from .test_dashboard import PASSWORD, sign_in
from .test_loader import edit

NOW = vn(2021, 6, 10, 10)


@pytest.fixture
def server(store, mini_dir, tmp_path):
    """The mini plan; its plan deadline brought forward by an amendment; beta a lead the plan
    file infers; the half-yearly reports' deadline the plan file's default."""
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
    plan = mini_dir / "plan.yaml"
    edit(plan, "      before: 2020-11-16", "      before: 2020-11-12")
    edit(plan, "duties:\n", "amendments:\n  - {number: 5/KH-TEST, issued_on: 2020-11-06, effective_from: 2020-11-06, "
         "obligations: [ke-hoach]}\n\nduties:\n")
    edit(plan, "    lead_groups: [t.members]\n", "    lead: [t.alpha, t.beta]\n    assumed: {units: [t.beta], note: 'các huyện'}\n")
    with store.transaction() as session:
        sync_catalogue(session, load_catalogue(mini_dir))
        add_account(session, "dieuphoi", "Điều phối", PASSWORD, NOW, Role.ADMIN)
    app = create_app(store, demo_keyring("unit-words"), lambda: NOW, tmp_path / "uploads", "http://127.0.0.1:1")
    with serving(app) as url:
        app.state.context.public_url = url
        yield url


def test_a_unit_page_names_an_amendment_and_says_what_is_assumed(server):
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        sign_in(client, "dieuphoi")
        page = client.get("/don-vi/t.beta").text
    occurrences = page.split('id="occurrences"', 1)[1].split("</table>", 1)[0]
    plan_row = next(row for row in occurrences.split("<tr") if "Gửi kế hoạch của đơn vị" in row)
    deadline = next(cell for cell in plan_row.split("<td") if "11/11/2020" in cell)
    assert "(rút ngắn từ 16/11/2020)" in deadline and "gia hạn" not in deadline
    half_year = next(row for row in occurrences.split("<tr") if "Báo cáo 6 tháng" in row and "17/06/2021" in row)
    assert "Văn bản không nêu thời hạn; cơ quan điều phối đặt hạn mặc định." in half_year
    assert "Văn bản không nêu đơn vị thực hiện" in plan_row  # beta owes it by the plan file's reading
    changes = page.split('id="extensions"', 1)[1].split("</table>", 1)[0]
    assert 'data-kind="amendment"' in changes and "Rút ngắn thời hạn theo văn bản sửa đổi" in changes
    assert "<h2>Gia hạn (" not in page
    duties = page.split("Nhiệm vụ được giao", 1)[1].split("<h2>", 1)[0]
    assert "Văn bản không nêu đơn vị thực hiện; cơ quan điều phối xác định đơn vị." in duties
    with httpx.Client(base_url=server, follow_redirects=True) as client:  # alpha, which the text names
        sign_in(client, "dieuphoi")
        alpha = client.get("/don-vi/t.alpha").text
    assert "Văn bản không nêu đơn vị" not in alpha and "Văn bản không nêu thời hạn" in alpha

