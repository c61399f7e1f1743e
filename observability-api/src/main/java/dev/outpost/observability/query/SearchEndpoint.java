package dev.outpost.observability.query;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint (or every endpoint of a resource) that searches the store: each call holds one
 * of {@link SearchSlots}' places while it runs. Live tails are bounded apart, by {@link TailHub}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SearchEndpoint {

  /** How its refusals are answered. */
  Class<? extends ErrorForm> errors() default ApiErrors.class;
}
