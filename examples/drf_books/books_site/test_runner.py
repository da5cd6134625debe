"""Django's test runner, closing with a plain 'N passed, N failed' line."""
from django.test.runner import DiscoverRunner


class CountingRunner(DiscoverRunner):
    def suite_result(self, suite, result, **kwargs):
        bad = [test for test, _ in result.failures + result.errors] + list(getattr(result, "unexpectedSuccesses", ()))
        failed = len({test.id() for test in bad})  # a test failing in its body and teardown counts once
        skipped = len(result.skipped)
        passed = max(result.testsRun - failed - skipped, 0)
        print(f"drf_books: {passed} passed, {failed} failed, {skipped} skipped")
        return super().suite_result(suite, result, **kwargs)
