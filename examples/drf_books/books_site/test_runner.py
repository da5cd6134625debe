"""Django's test runner, closing with a plain 'N passed, N failed' line."""
from django.test.runner import DiscoverRunner


class CountingRunner(DiscoverRunner):
    def suite_result(self, suite, result, **kwargs):
        failed = len(result.failures) + len(result.errors) + len(getattr(result, "unexpectedSuccesses", ()))
        skipped = len(result.skipped)
        passed = result.testsRun - failed - skipped
        print(f"drf_books: {passed} passed, {failed} failed, {skipped} skipped")
        return super().suite_result(suite, result, **kwargs)
