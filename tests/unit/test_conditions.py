"""Acceptance conditions in CEL: parsing, the form fields they read, evaluation."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from oneservice.domain.conditions import ConditionSyntaxError, Outcome, compile_expression, evaluate


class TestCompileExpression:
    def test_identifiers(self) -> None:
        """The identifiers of an expression are the form fields it reads."""
        compiled = compile_expression("capital > 0.0 && size(company_name) >= 4")
        assert compiled.identifiers == frozenset({"capital", "company_name"})

    def test_method_names_are_not_fields(self) -> None:
        """Function and method names are not form fields."""
        assert compile_expression('name.startsWith("杭州")').identifiers == frozenset({"name"})

    def test_macro_variables_are_not_fields(self) -> None:
        """Variables bound by all/exists/map/filter are not form fields."""
        compiled = compile_expression("tags.exists(t, t == 'x') && [1, 2].all(n, n > 0) && age >= 18")
        assert compiled.identifiers == frozenset({"tags", "age"})

    @pytest.mark.parametrize(("expression", "column"), [("capital >", 9), ('"abc', 1), ("a b", 3)])
    def test_syntax_error_column(self, expression: str, column: int) -> None:
        """A syntax error names the 1-based column within the expression."""
        with pytest.raises(ConditionSyntaxError) as excinfo:
            compile_expression(expression)
        assert excinfo.value.column == column
        assert str(excinfo.value) == f"syntax error at column {column}"


class TestEvaluate:
    def test_passes(self) -> None:
        """A true condition passes."""
        assert evaluate("capital > 0.0", {"capital": decimal.Decimal("10.5")}) == Outcome(True)

    def test_fails(self) -> None:
        """A false condition does not pass and has no error."""
        assert evaluate("size(name) >= 4", {"name": "abc"}) == Outcome(False)

    def test_dates_are_iso_text(self) -> None:
        """A date value compares as its ISO text."""
        assert evaluate('born < "2008-01-01"', {"born": dt.date(2000, 5, 1)}).passed

    def test_lists(self) -> None:
        """A list value works with the comprehension macros."""
        assert evaluate("tags.exists(t, t == 'a')", {"tags": ["b", "a"]}).passed

    def test_type_mismatch_is_an_outcome(self) -> None:
        """A type mismatch does not raise: the condition fails with a short reason."""
        outcome = evaluate("capital > 0.0", {"capital": "many"})
        assert not outcome.passed and outcome.error and "\n" not in outcome.error

    def test_division_by_zero_is_an_outcome(self) -> None:
        """A run-time error does not raise."""
        assert evaluate("1 / n == 1", {"n": 0}) == Outcome(False, "modulus or divide by zero")

    def test_not_boolean(self) -> None:
        """An expression that is not boolean does not pass."""
        assert evaluate("n + 1", {"n": 1}) == Outcome(False, "expression gave IntType, not a boolean")

    def test_missing_value_is_null(self) -> None:
        """A field without a value is null."""
        assert evaluate("name == null", {}).passed


class TestThreads:
    def test_concurrent_evaluations_see_only_their_own_form(self):
        """celpy evaluates through module globals; evaluations from many threads at once must
        each see their own values (without the lock, some results are another thread's)."""
        import sys
        import threading

        wrong: list[tuple[int, int]] = []
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads as often as possible
        try:

            def work(n: int) -> None:
                for i in range(1500):
                    expected = (i + n) % 2 == 0
                    if evaluate("x > 10", {"x": 20 if expected else 5}).passed is not expected:
                        wrong.append((n, i))

            threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            sys.setswitchinterval(interval)
        assert wrong == []
