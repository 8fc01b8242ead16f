.PHONY: serve demo test bench lint
serve:
	./dev serve
demo:
	./dev serve --demo
test:
	./dev test
bench:
	./dev bench
lint:
	.venv/bin/ruff check . && .venv/bin/mypy
