package dev.skiff.runtime.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.skiff.api.contract.ContractYaml;
import dev.skiff.api.contract.RouterConfigFile;
import dev.skiff.api.contract.RuntimeHttp;
import dev.skiff.runtime.web.Version;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The router's config in effect: which versions exist, where they answer and what share of traffic
 * each gets, plus optional shadow traffic. Built only through {@link #parse}, which reads the
 * contract's {@link RouterConfigFile} (what the operator writes into a ConfigMap, or a person by
 * hand; docs/router.md) and checks it, so every instance is valid.
 *
 * @param model the model's name, for the router's health page and logs
 * @param versions the versions in declaration order
 * @param mirror shadow traffic, when configured
 */
public record RouterConfig(String model, List<Version> versions, Optional<Mirror> mirror) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  public RouterConfig {
    versions = List.copyOf(versions);
  }

  /**
   * One backend version.
   *
   * @param name the version's name, as in {@link RuntimeHttp#MODEL_VERSION_HEADER}
   * @param url the version's runtime (a Service): scheme, host and port, the port always given
   * @param weight percent of unpinned traffic, 0..100
   * @param grpcPort the port of its V2 gRPC service on the url's host; empty when it has none
   */
  public record Version(String name, URI url, int weight, OptionalInt grpcPort) {

    /** A version that serves HTTP only. */
    public Version(String name, URI url, int weight) {
      this(name, url, weight, OptionalInt.empty());
    }
  }

  /**
   * Shadow traffic: a copy of {@code percent}% of the requests answered by other versions goes to
   * {@code version}; its answers are discarded.
   */
  public record Mirror(String version, int percent) {}

  public Optional<Version> version(String name) {
    return versions.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  /**
   * Parses and validates a config file's bytes.
   *
   * @throws InvalidRouterConfigException naming the first problem found
   */
  public static RouterConfig parse(byte[] yaml) {
    RouterConfigFile file;
    try {
      file = ContractYaml.read(yaml, RouterConfigFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidRouterConfigException(
          "unknown key '"
              + e.getPropertyName()
              + "' at "
              + path(e)
              + "; known keys: "
              + e.getKnownPropertyIds());
    } catch (JsonProcessingException e) {
      throw new InvalidRouterConfigException("not valid router YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidRouterConfigException("cannot read: " + e.getMessage(), e);
    }
    if (file == null) {
      throw new InvalidRouterConfigException("the file is empty");
    }
    return validate(file);
  }

  /** Where in the file the unknown key is, e.g. {@code versions[1]}. */
  private static String path(UnrecognizedPropertyException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : refs.subList(0, Math.max(0, refs.size() - 1))) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "the top level" : path.toString();
  }

  private static RouterConfig validate(RouterConfigFile file) {
    String model = file.model();
    if (model == null || !NAME.matcher(model).matches()) {
      throw new InvalidRouterConfigException(
          "'model' must be a name of letters, digits, '.', '_' and '-', not "
              + (model == null ? "missing" : "'" + model + "'"));
    }
    List<RouterConfigFile.Version> entries = file.versions();
    if (entries == null || entries.isEmpty()) {
      throw new InvalidRouterConfigException("'versions' must list at least one version");
    }
    Set<String> names = new HashSet<>();
    List<Version> checked = new ArrayList<>();
    for (int index = 0; index < entries.size(); index++) {
      RouterConfigFile.Version entry = entries.get(index);
      if (entry == null) {
        throw new InvalidRouterConfigException("versions[" + index + "] is empty");
      }
      Version version = validate(entry, "versions[" + index + "]");
      if (!names.add(version.name())) {
        throw new InvalidRouterConfigException(
            "version name '" + version.name() + "' appears more than once");
      }
      checked.add(version);
    }
    int sum = checked.stream().mapToInt(Version::weight).sum();
    if (sum != 100 && sum != 0) {
      throw new InvalidRouterConfigException(
          "version weights must add up to 100 (or all be 0), but they add up to " + sum);
    }
    Optional<Mirror> mirror = Optional.empty();
    RouterConfigFile.Mirror m = file.mirror();
    if (m != null) {
      if (m.version() == null || !names.contains(m.version())) {
        throw new InvalidRouterConfigException(
            "mirror.version must name one of the versions "
                + names.stream().sorted().toList()
                + ", not "
                + (m.version() == null ? "missing" : "'" + m.version() + "'"));
      }
      if (m.percent() == null || m.percent() < 0 || m.percent() > 100) {
        throw new InvalidRouterConfigException(
            "mirror.percent must be between 0 and 100, not " + m.percent());
      }
      mirror = Optional.of(new Mirror(m.version(), m.percent()));
    }
    return new RouterConfig(model, checked, mirror);
  }

  private static Version validate(RouterConfigFile.Version entry, String where) {
    String name = entry.name();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRouterConfigException(
          where
              + ".name must be a name of letters, digits, '.', '_' and '-', not "
              + (name == null ? "missing" : "'" + name + "'"));
    }
    String at = where + " ('" + name + "')";
    Integer weight = entry.weight();
    if (weight == null || weight < 0 || weight > 100) {
      throw new InvalidRouterConfigException(
          at + ".weight must be between 0 and 100, not " + (weight == null ? "missing" : weight));
    }
    Integer grpcPort = entry.grpcPort();
    if (grpcPort != null && (grpcPort < 1 || grpcPort > 65_535)) {
      throw new InvalidRouterConfigException(
          at + ".grpcPort must be a port between 1 and 65535, not " + grpcPort);
    }
    return new Version(
        name,
        url(entry.url(), at),
        weight,
        grpcPort == null ? OptionalInt.empty() : OptionalInt.of(grpcPort));
  }

  /**
   * A version's URL as the router uses it: scheme, host and port, nothing else. A path, user, query
   * or fragment is refused rather than dropped or merged with each request's own; a URL without a
   * port gets its scheme's default (80, 443) written out, so every backend URI the router builds
   * names its port (docs/router.md).
   */
  private static URI url(String url, String at) {
    if (url == null) {
      throw new InvalidRouterConfigException(at + ".url is missing");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidRouterConfigException(at + ".url is not a URL: " + e.getMessage());
    }
    String path = uri.getRawPath();
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || !(path == null || path.isEmpty() || path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new InvalidRouterConfigException(
          at
              + ".url must be http://host[:port] or https://host[:port], with no user, path, query"
              + " or fragment (each request's own path and query are sent), not '"
              + url
              + "'");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), port, null, null, null);
    } catch (URISyntaxException e) {
      throw new InvalidRouterConfigException(at + ".url is not a URL: " + e.getMessage());
    }
  }
}
