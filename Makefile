# chot: the two commands of the README are `make demo` and `make test`.
GO      ?= go
BIN     := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all build test demo demo-check deps fuzz bench clean

all: build

deps:
	scripts/deps.sh build

build: deps
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

test:
	scripts/test.sh

demo: build
	scripts/demo.sh

# The demo for 40 seconds, then check that decisions reached the page and the hub.
demo-check: build
	scripts/demo.sh --check 40

# A short fuzzing pass over every fuzz target (seed corpora run in `make test`).
FUZZTIME ?= 30s
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./verify/... ./store/... ./scanner/...

clean:
	rm -rf $(BIN) var

# Field deployment (build/README.md): arm64 binaries, the .deb, the SD card
# image and its QEMU boot test. Caches and outputs go to build/cache, build/out.
.PHONY: cross deb image image-test
cross:
	build/host-deps.sh
	CHOT_VERSION=$(VERSION) build/cross.sh

deb: cross
	build/deb.sh

image: deb
	build/image.sh

image-test: image
	build/image-test.sh
