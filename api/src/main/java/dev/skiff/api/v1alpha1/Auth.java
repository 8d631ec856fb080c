package dev.skiff.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Bearer-token auth: a Secret key holding one accepted token per line. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {

  @JsonPropertyDescription(
      "Secret (same namespace) and key whose value lists accepted bearer tokens, one per line.")
  @Required
  private SecretKeyRef tokenSecretRef;

  public SecretKeyRef getTokenSecretRef() {
    return tokenSecretRef;
  }

  public void setTokenSecretRef(SecretKeyRef tokenSecretRef) {
    this.tokenSecretRef = tokenSecretRef;
  }
}
