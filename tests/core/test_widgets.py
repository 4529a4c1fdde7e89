"""FastSelect writes the same HTML as Django's Select (compared as parsed HTML, so whitespace aside)."""

import pytest
from django import forms
from django.test.html import parse_html

from samtrygg.core.widgets import FastSelect

CHOICES = [
    ("", "Alla områden"),
    (1, "Gottsunda & Valsätra"),
    (2, '<script>alert("x")</script>'),
    ("Grupp", [(3, "Centrum"), (4, "Svartbäcken")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", 4])
@pytest.mark.parametrize("attrs", [None, {"id": "id_area", "aria-describedby": "id_area_error", "required": True,
                                           "disabled": False}])
def test_same_html_as_djangos_select(value, attrs):
    ours = FastSelect(choices=CHOICES).render("area", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("area", value, attrs=attrs)
    assert parse_html(ours) == parse_html(django)
    assert "<script>" not in ours


def test_in_a_form_with_a_bound_value():
    class F(forms.Form):
        area = forms.ChoiceField(choices=CHOICES, required=False, widget=FastSelect)

    class G(forms.Form):
        area = forms.ChoiceField(choices=CHOICES, required=False)

    assert parse_html(str(F({"area": "3"})["area"])) == parse_html(str(G({"area": "3"})["area"]))
    assert 'value="3" selected' in str(F({"area": "3"})["area"])
