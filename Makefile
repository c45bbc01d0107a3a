# chot: the two commands of the README are `make demo` and `make test`.
#
# Every target runs in the target userland, Debian 13 (trixie), through
# scripts/target.sh: directly on a trixie host, inside a cached trixie root
# (mmdebstrap, built once) on any other host. TARGET= runs them on the host
# as it is (it must then have trixie's libraries: OpenCV 4.10, zxing-cpp 2.3).
TARGET  ?= scripts/target.sh
GO      ?= go
BIN     := bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: all build test demo demo-check deps fuzz bench clean target

all: build

# The trixie root itself (built if missing; prints its path).
target:
	$(TARGET) --root

deps:
	$(TARGET) scripts/deps.sh build

build: deps
	$(TARGET) $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

test:
	$(TARGET) scripts/test.sh

# The demo's status page (127.0.0.1:8080) and hub (127.0.0.1:8090) are
# reachable from the host: the target shares the host's network.
demo:
	$(TARGET) scripts/demo.sh

# The demo for 40 seconds, then check that decisions reached the page and the hub.
demo-check:
	$(TARGET) scripts/demo.sh --check 40

# A short fuzzing pass over every fuzz target (seed corpora run in `make test`).
FUZZTIME ?= 30s
fuzz:
	$(TARGET) scripts/fuzz.sh $(FUZZTIME)

bench:
	$(TARGET) $(GO) test -run '^$$' -bench . -benchmem ./verify/... ./store/... ./scanner/...

clean:
	rm -rf $(BIN) var

# Field deployment (build/README.md): arm64 binaries, the .deb, the SD card
# image and its QEMU boot test, all built in the target (trixie) userland.
# Caches and outputs go to build/cache, build/out.
.PHONY: cross deb image image-test
cross:
	CHOT_VERSION=$(VERSION) $(TARGET) build/cross.sh

deb: cross
	$(TARGET) build/deb.sh

image: deb
	$(TARGET) build/image.sh

image-test: image
	$(TARGET) build/image-test.sh
