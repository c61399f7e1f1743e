package dev.outpost.observability.query;

import jakarta.ws.rs.core.Response;

/** This API's own error form, {@code {error, message}}. */
public final class ApiErrors implements ErrorForm {

  @Override
  public Response answer(ApiException refused) {
    return refused.answer(new ApiError(refused.error(), refused.getMessage()));
  }
}
