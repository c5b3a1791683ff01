"""The database holds the catalogue to the product lines the centre services."""
import pytest
from sqlalchemy.exc import IntegrityError

from tests import factories


@pytest.mark.parametrize("make", [factories.product_model, factories.part, factories.fault_code])
def test_the_database_refuses_a_product_line_the_centre_does_not_service(db, make):
    with pytest.raises(IntegrityError):
        make(product_line="fridge")
    db.session.rollback()


@pytest.mark.parametrize("make", [factories.part, factories.fault_code])
def test_parts_and_fault_codes_may_belong_to_every_product_line(db, make):
    assert make(product_line=None).id and make(product_line="purifier").id
