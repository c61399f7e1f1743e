package dev.outpost.observability.query;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource whose endpoints refuse a query parameter they do not take, or one given twice
 * ({@link KnownQueryParams}). On a method, {@link #prefix} names a family of parameters it takes
 * beside its own ({@code attr.<key>}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StrictQueryParams {

  /** Parameters whose names start with this are taken too; empty for none. */
  String prefix() default "";
}
