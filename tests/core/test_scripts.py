import pytest

from unseen.core.scripts import detect_script


@pytest.mark.parametrize(
    ("name", "script"),
    [
        ("Namgang Construction", "Latn"),
        ("남강건설", "Hang"),
        ("朝鲜南江", "Hani"),
        ("Мокран", "Cyrl"),
        ("123", "Zyyy"),
    ],
)
def test_it_tells_the_script_of_a_name(name, script):
    assert detect_script(name) == script
