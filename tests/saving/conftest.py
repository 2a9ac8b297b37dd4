import pytest
from saving_helpers import FIXTURES


@pytest.fixture
def fixtures_dir():
    return FIXTURES
