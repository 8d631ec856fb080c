#!/usr/bin/env bash
# Makes the base images that the Dockerfiles' FROM lines name, on a machine that reaches no container
# registry: Debian bookworm (mmdebstrap, from the Debian mirror) plus the host's JDK 25.
#   docker.io/library/eclipse-temurin:25-jdk   build stages: the whole JDK, and the CA certificates
#                                              this host trusts (downloads go through a TLS-re-signing
#                                              proxy here), so Maven reaches Maven Central
#   docker.io/library/eclipse-temurin:25-jre   final images: a JRE made with jlink, public CAs only
# They stand in for the Temurin images (same paths: /opt/java/openjdk, JAVA_HOME, PATH; similar
# packages), are labelled dev.skiff.stand-in=true and are never pushed anywhere. Built once and kept
# in podman's store; rebuilt when their recipe changes (this script, the JDK, the host's CAs).
# Takes ~1 min cold, < 1 s warm.
set -euo pipefail
# shellcheck source=podman-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman-env.sh"

SUITE=bookworm
JDK_TAG=docker.io/library/eclipse-temurin:25-jdk
JRE_TAG=docker.io/library/eclipse-temurin:25-jre
# What the Temurin images install beside the JDK (curl/wget, CA tooling, time zones, fonts).
PACKAGES=ca-certificates,p11-kit,p11-kit-modules,curl,wget,tzdata,fontconfig
# JDK modules that are development tools; the JRE has every other module, as Temurin's JRE does.
TOOL_MODULES='^(jdk\.compiler|jdk\.javadoc|jdk\.jdeps|jdk\.jlink|jdk\.jshell|jdk\.jpackage|jdk\.jartool|jdk\.jcmd|jdk\.jconsole|jdk\.jdi|jdk\.jdwp\.agent|jdk\.jstatd|jdk\.hotspot\.agent|jdk\.editpad|jdk\.internal\.ed|jdk\.internal\.le|jdk\.internal\.opt|jdk\.internal\.md)$'
LOCAL_CAS=(/usr/local/share/ca-certificates/*.crt)
[[ -e "${LOCAL_CAS[0]}" ]] || LOCAL_CAS=()

command -v podman >/dev/null || img_die "podman is not installed (Debian: podman buildah runc)"
command -v mmdebstrap >/dev/null || img_die "mmdebstrap is not installed (Debian: mmdebstrap)"
JDK_HOME="$(bash "${IMAGES_HACK_DIR}/../java-home.sh")"

recipe() {  # <jdk|jre>: what the image is made from
  {
    echo "$1 ${SUITE} ${PACKAGES}"
    sha256sum "${BASH_SOURCE[0]}" | cut -c1-16
    cat "${JDK_HOME}/release"
    if [[ $1 == jdk ]] && ((${#LOCAL_CAS[@]})); then cat "${LOCAL_CAS[@]}"; fi
  } | sha256sum | cut -c1-16
}

current_recipe() {  # <tag>: the recipe label of the image in the store, empty if absent
  podman image inspect --format '{{index .Config.Labels "dev.skiff.recipe"}}' "$1" 2>/dev/null || true
}

# make_image <jdk|jre> <tag> <java home to copy into /opt/java/openjdk>
make_image() {
  local kind="$1" tag="$2" java="$3" hooks=()
  hooks+=(--customize-hook="mkdir -p \"\$1/opt/java\" && cp -a '${java}' \"\$1/opt/java/openjdk\"")
  if [[ ${kind} == jdk ]] && ((${#LOCAL_CAS[@]})); then
    local ca
    for ca in "${LOCAL_CAS[@]}"; do
      hooks+=(--customize-hook="cp '${ca}' \"\$1/usr/local/share/ca-certificates/\"")
    done
  fi
  # Java's trust store from the image's own system store (p11-kit, as Debian and Ubuntu make it).
  hooks+=(--customize-hook='chroot "$1" update-ca-certificates >/dev/null')
  hooks+=(--customize-hook='rm -f "$1/opt/java/openjdk/lib/security/cacerts" && chroot "$1" trust extract --format=java-cacerts --filter=ca-anchors --purpose=server-auth /opt/java/openjdk/lib/security/cacerts')
  hooks+=(--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/usr/share/doc/* "$1"/usr/share/man/*')
  img_log "base image ${tag}: mmdebstrap ${SUITE} + ${java}"
  mmdebstrap --quiet --variant=minbase --include="${PACKAGES}" "${hooks[@]}" "${SUITE}" "${WORK}/rootfs.tar"
  podman import --quiet \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL dev.skiff.recipe=$(recipe "${kind}")" \
    --change 'LABEL dev.skiff.stand-in=true' \
    "${WORK}/rootfs.tar" "${tag}" >/dev/null
  rm -f "${WORK}/rootfs.tar"
  img_log "base image ${tag}: $(podman image inspect --format '{{.Size}}' "${tag}" | awk '{printf "%d MB", $1/1e6}')"
}

jre_home() {  # a JRE like Temurin's: every module but the development tools, with a CDS archive
  local out="$1" modules
  modules="$("${JDK_HOME}/bin/java" --list-modules | sed 's/@.*//' | grep -Ev "${TOOL_MODULES}" | paste -sd, -)"
  "${JDK_HOME}/bin/jlink" --add-modules "${modules}" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "${out}"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/skiff-base.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT
start="$(date +%s)"
built=0
if [[ "$(current_recipe "${JDK_TAG}")" != "$(recipe jdk)" ]]; then
  make_image jdk "${JDK_TAG}" "${JDK_HOME}"
  built=1
fi
if [[ "$(current_recipe "${JRE_TAG}")" != "$(recipe jre)" ]]; then
  jre_home "${WORK}/jre"
  make_image jre "${JRE_TAG}" "${WORK}/jre"
  built=1
fi
if ((built)); then
  podman image prune --force >/dev/null
  img_log "base images ready in $(($(date +%s) - start))s"
else
  img_log "base images up to date (${JDK_TAG}, ${JRE_TAG})"
fi
