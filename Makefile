# Targets are the README's commands: humans and CI (.ci/run) run the same thing.
SHELL := /bin/bash
JAVA_HOME := $(shell hack/java-home.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp
# `make run` is a laptop demo: it listens on the loopback interface only unless HOST says otherwise
# (HOST=0.0.0.0 for every interface); PORT=0 picks a free port.
HOST ?= 127.0.0.1
PORT ?= 8080
RUNTIME_JAR := runtime/target/skiff-runtime.jar
# The ahead-of-time cache that halves start -> ready (JDK 25+; hack/aot-cache.sh, docs/jvm.md)
RUNTIME_AOT := runtime/target/skiff-runtime.aot
RUNTIME_SOURCES := $(shell find runtime/src/main pom.xml runtime/pom.xml -type f 2>/dev/null)

.PHONY: run build test unit-test fmt models crds clients-venv cluster-up cluster-down node-up node-down images e2e operator-run clean bench

## run: build if needed and serve the bundled example models on $(HOST):$(PORT)
run: $(RUNTIME_JAR) $(RUNTIME_AOT)
	"$(JAVA_HOME)/bin/java" @runtime/jvm.options $(if $(wildcard $(RUNTIME_AOT)),-XX:AOTCache=$(RUNTIME_AOT)) \
	  -jar $(RUNTIME_JAR) serve examples/models --host $(HOST) --port $(PORT)

$(RUNTIME_JAR): $(RUNTIME_SOURCES)
	$(MVN) -q package -DskipTests -pl runtime -am
	@touch $@

# A failed training run only costs start-up time, so `make run` goes on without the cache.
$(RUNTIME_AOT): $(RUNTIME_JAR) runtime/jvm.options hack/aot-cache.sh hack/lib/ready-url.sh
	bash hack/aot-cache.sh $(RUNTIME_JAR) $@ || echo "make: no AOT cache; the runtime starts without one" >&2

build:
	$(MVN) package -DskipTests

## test: every test: unit, real-server, third-party clients, real API server, Helm chart
## (brings the local control plane up and down; SKIFF_KEEP_CLUSTER=1 keeps it)
test:
	bash hack/test-all.sh

## unit-test: the fast tier only (no *IT)
unit-test:
	$(MVN) test

fmt:
	$(MVN) spotless:apply

## models: re-train and re-export the example models (needs Python; outputs are committed)
models:
	bash examples/scripts/make_models.sh

## crds: regenerate crds/ from the Java API classes and copy it into the Helm chart
crds:
	$(MVN) -q -pl api -am test -Dskiff.crds.update=true
	cp crds/*.yml helm/skiff/crds/

## operator-run: run the operator against the local control plane (make cluster-up first)
operator-run:
	.cluster/bin/kubectl --kubeconfig .cluster/kubeconfig apply --server-side --force-conflicts -f crds/
	$(MVN) -q package -DskipTests -pl operator -am
	KUBECONFIG=.cluster/kubeconfig "$(JAVA_HOME)/bin/java" -jar operator/target/skiff-operator.jar $(OPERATOR_ARGS)

clients-venv:
	@bash hack/python-clients.sh >/dev/null

## bench: the benchmark suite (Skiff vs MLServer vs in-process ONNX Runtime) -> bench/results/
bench:
	bash bench/run.sh

cluster-up:
	bash hack/cluster/up.sh

cluster-down:
	bash hack/cluster/down.sh

## images: build Dockerfile.runtime and Dockerfile.operator with podman (base images made locally, cached)
images:
	bash hack/images/build.sh

## node-up: join a real node (containerd, kubelet, kube-proxy, CoreDNS) to the local control plane; needs root
node-up:
	bash hack/cluster/node-up.sh

node-down:
	bash hack/cluster/node-down.sh

## e2e: the end-to-end tier on a real node: images, node, Helm install, *E2E tests (docs/real-cluster.md)
e2e:
	bash hack/e2e/run.sh

clean:
	$(MVN) -q clean
