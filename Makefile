# Targets are the README's commands: humans and CI (.ci/run) run the same thing.
SHELL := /bin/bash
JAVA_HOME := $(shell hack/java-home.sh)
export JAVA_HOME
MVN := ./mvnw -B -ntp
PORT ?= 8080
RUNTIME_JAR := runtime/target/skiff-runtime.jar
RUNTIME_SOURCES := $(shell find runtime/src/main pom.xml runtime/pom.xml -type f 2>/dev/null)

.PHONY: run build test unit-test fmt models clients-venv cluster-up cluster-down clean

## run: build if needed and serve the bundled example models on localhost:$(PORT)
run: $(RUNTIME_JAR)
	"$(JAVA_HOME)/bin/java" --enable-native-access=ALL-UNNAMED -jar $(RUNTIME_JAR) serve examples/models --port $(PORT)

$(RUNTIME_JAR): $(RUNTIME_SOURCES)
	$(MVN) -q package -DskipTests -pl runtime -am
	@touch $@

build:
	$(MVN) package -DskipTests

## test: every test: unit, routing, real-server, third-party clients, real API server
test: clients-venv
	$(MVN) verify -Dskiff.python="$$(bash hack/python-clients.sh)"

## unit-test: the fast tier only (no *IT)
unit-test:
	$(MVN) test

fmt:
	$(MVN) spotless:apply

## models: re-train and re-export the example models (needs Python; outputs are committed)
models:
	bash examples/scripts/make_models.sh

clients-venv:
	@bash hack/python-clients.sh >/dev/null

cluster-up:
	bash hack/cluster/up.sh

cluster-down:
	bash hack/cluster/down.sh

clean:
	$(MVN) -q clean
