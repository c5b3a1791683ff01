import pytest
from flask_babel import force_locale
from sqlalchemy import event

from fieldservice.audit.models import AuditEvent
from fieldservice.customers import services
from fieldservice.customers.models import Customer, Unit
from fieldservice.errors import DomainError
from tests import factories
from tests.factories_callcentre import unit_row, units_csv


@pytest.fixture()
def models(db):
    factories.product_model(code="KFR-35GW")
    factories.product_model(code="XQB-80")


def run(data: bytes):
    return services.import_units(services.read_units_csv(data))


@pytest.mark.parametrize("bom", [False, True])
def test_a_file_with_or_without_bom_registers_units_and_their_customers(models, db, bom):
    report = run(units_csv([unit_row("kfr35-0001"), unit_row("XQB80-0002", "xqb-80"),
                            unit_row("KFR35-0003", name="李娜", phone="139 0013 9000", customer_type="contract",
                                     contract_warranty_months="36", sale_type="clearance")], bom=bom))
    assert (report.rows, report.units_created, report.customers_created, report.errors) == (3, 3, 2, [])
    zhang = db.session.query(Customer).filter_by(name="张伟").one()
    assert sorted(u.serial for u in zhang.units) == ["KFR35-0001", "XQB80-0002"]
    assert zhang.district == "浦东新区" and zhang.lat is not None
    li = db.session.query(Customer).filter_by(name="李娜").one()
    assert (li.phone, li.customer_type, li.contract_warranty_months, li.units[0].sale_type) == \
        ("13900139000", "contract", 36, "clearance")


def test_bad_rows_are_reported_by_line_and_the_good_rows_are_still_imported(models, db):
    report = run(units_csv([unit_row("KFR35-0001"), unit_row("KFR35-0002", "NOPE"),
                            unit_row("KFR35-0003", phone="12345"), unit_row("KFR35-0004", purchase_date="2099-01-01"),
                            unit_row("kfr35-0001"), unit_row("KFR35-0005")]))
    assert report.units_created == 2
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    reasons = dict(report.errors)
    assert "NOPE" in reasons[3][0] and "12345" in reasons[4][0] and "KFR35-0001" in reasons[6][0]
    assert db.session.query(Unit).count() == 2


def test_a_bad_row_lists_all_its_problems_in_one_round_and_the_good_rows_are_imported(models, db):
    report = run(units_csv([unit_row("KFR35-0001"),
                            unit_row("abc", "NOPE", phone="weird", purchase_date="2030-01-01", sale_type="gift"),
                            unit_row("KFR35-0002", purchase_date="2026-02-30", contract_warranty_months="99"),
                            unit_row("KFR35-0003", phone="139 0013 9000", name="李娜")]))
    assert (report.rows, report.units_created, report.customers_created) == (4, 2, 2)
    assert [(line, len(reasons)) for line, reasons in report.errors] == [(3, 4), (4, 2)]
    assert report.errors[0].reasons == [
        "没有型号代码为 NOPE 的产品。", "“weird”不是有效的中国手机或固定电话号码。", "购买日期不能晚于今天。",
        "销售方式只能是 normal（正常）或 clearance（处理价），不能是“gift”。"]
    assert "2026-02-30" in report.errors[1].reasons[0] and "99" in report.errors[1].reasons[1]
    again = run(units_csv([unit_row("KFR35-0001"), unit_row("KFR35-0003", phone="139 0013 9000", name="李娜")]))
    assert (again.units_created, again.customers_created, again.already_registered) == (0, 0, 2)


def test_the_problems_of_a_row_are_in_the_users_language(app, models, db):
    with force_locale("en"):
        report = run(units_csv([unit_row("KFR35-0001", "NOPE", purchase_date="2030-01-01")]))
    assert report.errors[0].reasons == ["There is no product model with code NOPE.",
                                        "The purchase date cannot be in the future."]


def test_a_serial_repeated_in_the_file_is_named_with_the_other_problems_of_the_row(models, db):
    report = run(units_csv([unit_row("KFR35-0001"), unit_row("kfr35-0001", phone="12345")]))
    assert report.units_created == 1
    ((line, reasons),) = report.errors
    assert line == 3 and len(reasons) == 2 and "KFR35-0001" in reasons[0] and "12345" in reasons[1]


def test_importing_the_same_file_again_changes_nothing(models, db):
    data = units_csv([unit_row(f"KFR35-{i:04d}", phone=f"1380013{i:04d}") for i in range(30)])
    first = run(data)
    before = (db.session.query(Customer).count(), db.session.query(Unit).count(),
              db.session.query(AuditEvent).count())
    second = run(data)
    assert (first.units_created, second.units_created, second.customers_created, second.already_registered) == \
        (30, 0, 0, 30)
    assert (db.session.query(Customer).count(), db.session.query(Unit).count(),
            db.session.query(AuditEvent).count()) == before


def test_an_existing_customer_is_matched_by_phone_and_name(models, db):
    existing = factories.customer(name="张伟", phone="13800138000")
    report = run(units_csv([unit_row("KFR35-0001", phone="+86 138 0013 8000")]))
    assert report.customers_created == 0
    assert db.session.query(Unit).one().customer_id == existing.id


def test_a_file_without_the_columns_or_not_in_utf8_is_refused_before_anything_is_saved(models, db):
    with pytest.raises(DomainError) as error:
        run(b"serial,model\nA1,B\n")
    assert error.value.code == "missing_columns" and "customer_name" in str(error.value.message)
    with pytest.raises(DomainError) as error:
        run(units_csv([unit_row("KFR35-0001", name="张伟")]).decode().encode("gb18030"))
    assert error.value.code == "not_utf8"
    assert db.session.query(Unit).count() == 0


def test_a_big_file_is_saved_with_a_few_statements_per_thousand_rows(models, db):
    data = units_csv([unit_row(f"KFR35-{i:06d}", phone=f"138{i:08d}", name=f"客户{i}") for i in range(3000)])
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = run(data)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert report.units_created == 3000 and report.customers_created == 3000
    assert len(statements) <= 3 * 12


def test_the_command_imports_a_file_with_a_progress_bar_and_lists_bad_rows(app, models, db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(units_csv([unit_row("KFR35-0001"), unit_row("bad serial!")], bom=True))
    result = app.test_cli_runner().invoke(args=["import-units", str(path)], env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 0, result.output
    assert "units registered: 1" in result.stdout
    assert "line 3:" in result.stderr and "2/2" in result.stderr  # the bad row, and tqdm's bar


@pytest.mark.parametrize("args, env, expected", [
    (["--locale", "en"], {"LANG": "zh_CN.UTF-8"}, [
        "rows: 2  units registered: 1  customers created: 1  already registered: 0  bad rows: 1",
        "line 3: “12345” is not a Chinese mobile or landline number.",
        "line 3: There is no product model with code NOPE.",
        "line 3: The purchase date cannot be in the future.",
        "line 3: Contract warranty months must be a whole number from 0 to 36, not “99”."]),
    ([], {"LANG": "zh_CN.UTF-8"}, [
        "读取行数：2  登记产品数：1  新建客户数：1  已登记（跳过）：0  错误行数：1",
        "第 3 行：没有型号代码为 NOPE 的产品。", "第 3 行：“12345”不是有效的中国手机或固定电话号码。",
        "第 3 行：购买日期不能晚于今天。", "第 3 行：合同保修月数应为 0 至 36 的整数，不能是“99”。"]),
    ([], {"LANG": "C.UTF-8", "LC_ALL": "en_GB.UTF-8"}, ["line 3: There is no product model with code NOPE."]),
])
def test_the_command_lists_every_problem_of_a_bad_row_in_the_users_language(app, models, db, tmp_path, args, env,
                                                                             expected):
    path = tmp_path / "units.csv"
    path.write_bytes(units_csv([unit_row("KFR35-0001"), unit_row("KFR35-0002", "NOPE", phone="12345",
                                                                 purchase_date="2030-01-01",
                                                                 contract_warranty_months="99")]))
    result = app.test_cli_runner().invoke(args=["import-units", *args, str(path)], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    assert all(line in lines for line in expected), result.output


def test_the_command_refuses_a_file_without_the_columns(app, models, db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("serial\nA1\n")
    result = app.test_cli_runner().invoke(args=["import-units", str(path)])
    assert result.exit_code == 1 and "model_code" in result.output
