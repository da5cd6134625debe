# End to end across languages (tests/e2e/run.mjs): a Django process warms PolyCache and
# dumps a signed snapshot; Node, a worker in workerd and a page in headless Chromium load
# it and answer with Django's keys, values and remaining TTLs; Node dumps back and Django
# loads it. Wrongly signed and unsigned snapshots are refused everywhere. Then
# tests/e2e/adaptive-load.mjs: one snapshot loaded by an adaptive cache in Python and in
# JS, the same reads and writes after it, every answer alike. Builds on the
# npm package (js-build: wasm, npm tools), Chromium and the Python venv with the wheel.
TEST_TARGETS += test-e2e
DEMO_TARGETS += demo-e2e

.PHONY: test-e2e demo-e2e
test-e2e: js-build chromium $(ROOT)/.venv311/.polycache-stamp ## Django -> Node/workerd/Chromium -> Django with one signed snapshot
	PYTHON=$(ROOT)/.venv311/bin/python node tests/e2e/run.mjs
	PYTHON=$(ROOT)/.venv311/bin/python node tests/e2e/adaptive-load.mjs

DEMO_SYSTEM += chromium
DEMO_BUILDS += js-build $(ROOT)/.venv311/.polycache-stamp
demo-e2e: $(call demo-needs,js-build chromium $(ROOT)/.venv311/.polycache-stamp) ## Print the Django <-> JS snapshot round trip
	$(call demo-heading,One signed snapshot: Django -> Node / workerd / Chromium -> Django (tests/e2e))
	@PYTHON=$(ROOT)/.venv311/bin/python node tests/e2e/run.mjs --demo
