package dev.outpost.observability.security;

import dev.outpost.observability.config.ObservabilityConfig;
import dev.outpost.observability.query.ApiException;
import dev.outpost.observability.store.ProjectScope;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The projects the caller may read, from the configured claim of their verified JWT. This is the
 * only source of a {@link ProjectScope} for the query API: parameters may narrow it, never widen it.
 */
@RequestScoped
public class CallerScope {

  @Inject JsonWebToken token;
  @Inject ObservabilityConfig config;

  /** Who calls: the token's subject. */
  public String subject() {
    return token.getSubject() == null ? "" : token.getSubject();
  }

  /** The end of year 9999: a later {@code exp} reads as this (an Instant or a span of millis past it overflows). */
  private static final long LATEST_EXPIRY_SECONDS = 253_402_300_799L;

  /**
   * Seconds past its {@code exp} that smallrye-jwt still takes a token (this clock may run ahead of the
   * identity provider's): what the caller opened ends when no call would take the token any more.
   */
  @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60")
  int clockSkewSeconds;

  /** When no call takes the caller's token any more (its exp and the clock skew); what it opened must not outlive it. */
  public java.time.Instant acceptedUntil() {
    return java.time.Instant.ofEpochSecond(Math.min(token.getExpirationTime(), LATEST_EXPIRY_SECONDS)
        + Math.max(0, clockSkewSeconds));
  }

  /** The caller's projects, narrowed to {@code project} when given (403 if it is not theirs). */
  public ProjectScope scope(Optional<String> project) {
    Set<String> readable = readable();
    if (readable.isEmpty()) {
      throw new ApiException(403, "forbidden",
          "the token's '" + config.security().projectsClaim() + "' claim lists no projects");
    }
    if (project.isPresent() && !project.get().isBlank()) {
      if (!readable.contains(project.get())) {
        throw new ApiException(403, "forbidden", "project '" + project.get() + "' is not in the token's '"
            + config.security().projectsClaim() + "' claim");
      }
      return new ProjectScope(Set.of(project.get()));
    }
    return new ProjectScope(readable);
  }

  private Set<String> readable() {
    Object claim = token.getClaim(config.security().projectsClaim());
    Set<String> projects = new LinkedHashSet<>();
    if (claim instanceof JsonArray array) {
      for (JsonValue v : array) {
        if (v instanceof JsonString s) {
          projects.add(s.getString());
        }
      }
    } else if (claim instanceof Collection<?> values) {
      for (Object v : values) {
        projects.add(v instanceof JsonString s ? s.getString() : String.valueOf(v));
      }
    } else if (claim instanceof JsonString s) {
      projects.addAll(split(s.getString()));
    } else if (claim instanceof String s) {
      projects.addAll(split(s));
    }
    projects.removeIf(String::isBlank);
    return projects;
  }

  private static Set<String> split(String value) {
    return new LinkedHashSet<>(java.util.Arrays.asList(value.trim().split("[\\s,]+")));
  }
}
