package dev.skiff.runtime.route;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skiff.runtime.web.Version;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The router's config file (written by the operator into a ConfigMap, or by hand): which versions
 * exist, where they answer and what share of traffic each gets, plus optional shadow traffic. Built
 * only through {@link #parse}, so every instance is valid. The format is documented in {@code
 * docs/router.md}.
 *
 * @param model the model's name, for the router's health page and logs
 * @param versions the versions in declaration order
 * @param mirror shadow traffic, when configured
 */
public record RouterConfig(String model, List<Version> versions, Optional<Mirror> mirror) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  public RouterConfig {
    versions = List.copyOf(versions);
  }

  /**
   * One backend version.
   *
   * @param name the version's name, as in {@code X-Model-Version}
   * @param url base URL of the version's runtime (a Service), request paths are appended
   * @param weight percent of unpinned traffic, 0..100
   */
  public record Version(String name, URI url, int weight) {}

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
    if (new String(yaml, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw new InvalidRouterConfigException("the file is empty");
    }
    FileContents file;
    try {
      file = YAML.readValue(yaml, FileContents.class);
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
    return file.validate();
  }

  /** Where in the file the unknown key is, e.g. {@code versions[1]}. */
  private static String path(UnrecognizedPropertyException e) {
    List<com.fasterxml.jackson.databind.JsonMappingException.Reference> refs = e.getPath();
    StringBuilder path = new StringBuilder();
    for (var ref : refs.subList(0, Math.max(0, refs.size() - 1))) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "the top level" : path.toString();
  }

  /** The file as written; {@link #validate} turns it into a {@link RouterConfig}. */
  record FileContents(String model, List<VersionEntry> versions, MirrorEntry mirror) {
    @JsonCreator
    FileContents(
        @JsonProperty("model") String model,
        @JsonProperty("versions") List<VersionEntry> versions,
        @JsonProperty("mirror") MirrorEntry mirror) {
      this.model = model;
      this.versions = versions;
      this.mirror = mirror;
    }

    RouterConfig validate() {
      if (model == null || !NAME.matcher(model).matches()) {
        throw new InvalidRouterConfigException(
            "'model' must be a name of letters, digits, '.', '_' and '-', not "
                + (model == null ? "missing" : "'" + model + "'"));
      }
      if (versions == null || versions.isEmpty()) {
        throw new InvalidRouterConfigException("'versions' must list at least one version");
      }
      Set<String> names = new HashSet<>();
      List<Version> checked =
          versions.stream()
              .map(
                  entry -> {
                    int index = versions.indexOf(entry);
                    if (entry == null) {
                      throw new InvalidRouterConfigException("versions[" + index + "] is empty");
                    }
                    Version version = entry.validate("versions[" + index + "]");
                    if (!names.add(version.name())) {
                      throw new InvalidRouterConfigException(
                          "version name '" + version.name() + "' appears more than once");
                    }
                    return version;
                  })
              .toList();
      int sum = checked.stream().mapToInt(Version::weight).sum();
      if (sum != 100 && sum != 0) {
        throw new InvalidRouterConfigException(
            "version weights must add up to 100 (or all be 0), but they add up to " + sum);
      }
      Optional<Mirror> checkedMirror = Optional.empty();
      if (mirror != null) {
        if (mirror.version == null || !names.contains(mirror.version)) {
          throw new InvalidRouterConfigException(
              "mirror.version must name one of the versions "
                  + names.stream().sorted().toList()
                  + ", not "
                  + (mirror.version == null ? "missing" : "'" + mirror.version + "'"));
        }
        if (mirror.percent == null || mirror.percent < 0 || mirror.percent > 100) {
          throw new InvalidRouterConfigException(
              "mirror.percent must be between 0 and 100, not " + mirror.percent);
        }
        checkedMirror = Optional.of(new Mirror(mirror.version, mirror.percent));
      }
      return new RouterConfig(model, checked, checkedMirror);
    }
  }

  /** One entry of {@code versions} as written. */
  record VersionEntry(String name, String url, Integer weight) {
    @JsonCreator
    VersionEntry(
        @JsonProperty("name") String name,
        @JsonProperty("url") String url,
        @JsonProperty("weight") Integer weight) {
      this.name = name;
      this.url = url;
      this.weight = weight;
    }

    Version validate(String where) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new InvalidRouterConfigException(
            where
                + ".name must be a name of letters, digits, '.', '_' and '-', not "
                + (name == null ? "missing" : "'" + name + "'"));
      }
      String at = where + " ('" + name + "')";
      if (weight == null || weight < 0 || weight > 100) {
        throw new InvalidRouterConfigException(
            at + ".weight must be between 0 and 100, not " + (weight == null ? "missing" : weight));
      }
      return new Version(name, url(at), weight);
    }

    private URI url(String at) {
      if (url == null) {
        throw new InvalidRouterConfigException(at + ".url is missing");
      }
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new InvalidRouterConfigException(at + ".url is not a URL: " + e.getMessage());
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null
          || uri.getRawUserInfo() != null) {
        throw new InvalidRouterConfigException(
            at
                + ".url must be http:// or https:// with a host and no user, query or fragment,"
                + " not '"
                + url
                + "'");
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return URI.create(
          uri.getScheme()
              + "://"
              + uri.getHost()
              + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
              + path);
    }
  }

  /** The {@code mirror} entry as written. */
  record MirrorEntry(String version, Integer percent) {
    @JsonCreator
    MirrorEntry(@JsonProperty("version") String version, @JsonProperty("percent") Integer percent) {
      this.version = version;
      this.percent = percent;
    }
  }
}
