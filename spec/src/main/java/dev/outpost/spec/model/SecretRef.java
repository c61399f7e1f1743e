package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A reference to one key of a secret held in the data plane (a Kubernetes Secret, or the file
 * {@code $OUTPOST_HOME/secrets/NAME/KEY} locally). The value itself never travels through the
 * control plane.
 *
 * @param name the secret's name (a DNS-1123 subdomain)
 * @param key the key within it ({@code [-._a-zA-Z0-9]+})
 */
@JsonPropertyOrder({"name", "key"})
public record SecretRef(String name, String key) {

  @Override
  public String toString() {
    return name + "/" + key;
  }
}
