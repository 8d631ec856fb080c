package dev.skiff.runtime.serve;

import dev.skiff.runtime.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

/**
 * Reads one file field of a {@code multipart/form-data} body with mime4j's streaming MIME parser
 * (the request body's size is already capped by the server), so uploads work from {@code curl -F},
 * browsers and every HTTP client library.
 */
final class MultipartForm {
  private static final MimeConfig CONFIG =
      MimeConfig.custom()
          .setMaxLineLen(-1) // file contents have arbitrarily long "lines"
          .setMaxHeaderCount(64)
          .setMaxHeaderLen(16 * 1024)
          .setMaxContentLen(-1)
          .build();

  private MultipartForm() {}

  /**
   * The bytes of form field {@code field}.
   *
   * @throws ApiException 415 when the body is not multipart/form-data, 400 when it is malformed or
   *     lacks the field
   */
  static byte[] field(String contentType, InputStream body, String field) {
    requireFormData(contentType, field);
    MimeTokenStream parts = new MimeTokenStream(CONFIG);
    List<String> seen = new ArrayList<>();
    try {
      parts.parseHeadless(body, contentType);
      String name = null;
      for (EntityState state = parts.getState();
          state != EntityState.T_END_OF_STREAM;
          state = parts.next()) {
        if (state == EntityState.T_START_BODYPART) {
          name = null;
        } else if (state == EntityState.T_FIELD
            && parts.getField().getNameLowerCase().equals("content-disposition")) {
          name = parameter(parts.getField(), "name");
        } else if (state == EntityState.T_BODY) {
          if (field.equals(name)) {
            try (InputStream content = parts.getDecodedInputStream()) {
              return content.readAllBytes();
            }
          }
          seen.add(name == null ? "(unnamed)" : name);
        }
      }
    } catch (MimeException | IOException e) {
      throw ApiException.badRequest("the multipart/form-data body is malformed: " + e.getMessage());
    }
    throw ApiException.badRequest(
        "the form has no field '"
            + field
            + "'"
            + (seen.isEmpty() ? "" : "; it has " + seen)
            + " (curl -F "
            + field
            + "=@image.png ...)");
  }

  private static void requireFormData(String contentType, String field) {
    String type = "";
    boolean boundary = false;
    if (contentType != null) {
      RawBody parsed =
          RawFieldParser.DEFAULT.parseRawBody(new RawField("Content-Type", contentType));
      type = parsed.getValue() == null ? "" : parsed.getValue().toLowerCase(Locale.ROOT);
      boundary =
          parsed.getParams().stream().anyMatch(p -> p.getName().equalsIgnoreCase("boundary"));
    }
    if (!type.equals("multipart/form-data")) {
      throw ApiException.unsupportedMediaType(
          "send the image as multipart/form-data in field '"
              + field
              + "' (curl -F "
              + field
              + "=@image.png ...), not "
              + (contentType == null ? "a body without Content-Type" : contentType));
    }
    if (!boundary) {
      throw ApiException.badRequest("the multipart/form-data Content-Type has no boundary");
    }
  }

  private static String parameter(Field header, String name) {
    RawBody body =
        RawFieldParser.DEFAULT.parseRawBody(new RawField(header.getName(), header.getBody()));
    for (NameValuePair pair : body.getParams()) {
      if (pair.getName().equalsIgnoreCase(name)) {
        return pair.getValue();
      }
    }
    return null;
  }
}
