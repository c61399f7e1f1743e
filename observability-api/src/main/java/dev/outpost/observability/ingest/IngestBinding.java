package dev.outpost.observability.ingest;

/**
 * What an ingest token binds: nothing for the data plane's token (the records name their
 * project), or one integration and its project for an integration's token.
 */
public record IngestBinding(String project, String integration) {

  public static final IngestBinding DATA_PLANE = new IngestBinding("", "");

  public boolean bindsProject() {
    return !project.isEmpty();
  }
}
