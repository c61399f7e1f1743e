package dev.outpost.controlplane.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.controlplane.ControlPlaneConfig;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.state.InvalidStateException;
import dev.outpost.spec.state.StateCodec;
import jakarta.inject.Singleton;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * The desired state of the one data plane this control plane drives, kept in {@code
 * <data-dir>/state.json} so that revisions keep growing across restarts. Every change is validated
 * by spec before it is kept, gets the next revision and the configured data plane id, and is
 * announced to the listeners (the connected agents); one that leaves the state as it was keeps the
 * revision and is announced to no one, unless the agent refused that revision ({@link #retryRefused}).
 */
@Singleton
public class StateStore {
  private final Path file;
  private final String dataPlane;
  private final List<Consumer<DataPlaneState>> listeners = new CopyOnWriteArrayList<>();
  private volatile LongPredicate refused = revision -> false;
  private DataPlaneState current;

  public StateStore(ControlPlaneConfig config) throws IOException {
    this.file = config.dataDir().resolve("state.json");
    this.dataPlane = config.dataPlane();
    if (Files.isRegularFile(file)) {
      try {
        current = StateCodec.readJson(Files.readString(file));
      } catch (InvalidStateException e) {
        // kept by an earlier version, whose rules let it pass: say which file, and what to change (not
        // chained: ./outpost up shows a failed start's innermost cause, which would not name the file)
        throw new IllegalStateException(file + " holds a desired state this version refuses; correct what is named"
            + " and start again (the agent enforces the state it applied meanwhile): " + e.getMessage());
      }
    }
  }

  public synchronized Optional<DataPlaneState> current() {
    return Optional.ofNullable(current);
  }

  public String dataPlane() {
    return dataPlane;
  }

  public void onChange(Consumer<DataPlaneState> listener) {
    listeners.add(listener);
  }

  /**
   * {@code refused} says whether the agent's latest answer to a revision is a refusal. A document that
   * changes nothing of a refused revision still makes a new one: the user deployed the same file
   * again once the secret it lacked was made, and the agent tries a new revision at once (the refused
   * one waits for its backoff), and {@code ./outpost deploy} waits for the answer to it, not the old one.
   */
  public void retryRefused(LongPredicate refused) {
    this.refused = refused;
  }

  /** What a change left: the state, and whether it differs from the one before (else it is that one). */
  public record Commit(DataPlaneState state, boolean changed) {}

  /**
   * Replaces the whole state; its revision and data plane id are assigned here.
   *
   * @param readAt the revision the document was read at, which must be the current one; empty for any
   */
  public synchronized Commit put(ObjectNode document, OptionalLong readAt)
      throws InvalidStateException, StaleRevisionException {
    checkCurrent(readAt);
    return commit(document, SameState::exactly);
  }

  /**
   * Applies a partial state onto the current one (see {@link StateMerge}): what the document names
   * is added or replaced, everything else is kept. Its revision is not a condition: the files
   * {@code ./outpost deploy} posts are states, whose revision (1 in the examples) says nothing of when
   * they were read.
   */
  public synchronized Commit apply(ObjectNode document) throws InvalidStateException {
    ObjectNode merged = StateMerge.apply(currentTree(), document);
    try {
      return commit(merged, SameState::butForOrder);
    } catch (InvalidStateException e) {
      throw StateMerge.inDocument(e, merged, document);
    }
  }

  /**
   * Adds or replaces one integration, and replaces the routes that target it with {@code routes}.
   *
   * @param readAt the revision the document was read at, which must be the current one; empty for any
   */
  public synchronized Commit putIntegration(JsonNode integration, ArrayNode routes, OptionalLong readAt)
      throws InvalidStateException, StaleRevisionException {
    checkCurrent(readAt);
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.putArray("integrations").add(integration);
    document.set("routes", routes);
    return apply(document);
  }

  /**
   * Removes one integration and the routes that target it.
   *
   * @return the new state, or empty when there was no such integration
   */
  public synchronized Optional<Commit> removeIntegration(String name) throws InvalidStateException {
    if (current == null || current.integration(name).isEmpty()) {
      return Optional.empty();
    }
    ObjectNode document = currentTree();
    document.set("integrations", without(document, "integrations", "name", name));
    document.set("routes", without(document, "routes", "integration", name));
    return Optional.of(commit(document, SameState::exactly));
  }

  private void checkCurrent(OptionalLong readAt) throws StaleRevisionException {
    long revision = current == null ? 0 : current.revision();
    if (readAt.isPresent() && readAt.getAsLong() != revision) {
      throw new StaleRevisionException(readAt.getAsLong(), revision);
    }
  }

  private ObjectNode currentTree() {
    if (current == null) {
      ObjectNode empty = JsonNodeFactory.instance.objectNode();
      empty.put("apiVersion", DataPlaneState.API_VERSION);
      return empty;
    }
    return (ObjectNode) StateCodec.toTree(current);
  }

  /** The elements of {@code document[array]} whose {@code field} is not {@code value}. */
  private static ArrayNode without(ObjectNode document, String array, String field, String value) {
    ArrayNode elements = document.withArray(array);
    ArrayNode kept = elements.arrayNode();
    elements.forEach(e -> {
      if (!value.equals(e.path(field).asText())) {
        kept.add(e);
      }
    });
    return kept;
  }

  private Commit commit(ObjectNode document, BiPredicate<DataPlaneState, DataPlaneState> same)
      throws InvalidStateException {
    document.put("revision", (current == null ? 0 : current.revision()) + 1);
    document.put("dataPlane", dataPlane);
    DataPlaneState next = StateCodec.read(document);
    if (current != null && same.test(current, next) && !refused.test(current.revision())) {
      return new Commit(current, false);
    }
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), ".state-", ".tmp");
      // StateCodec.toJson's text, streamed: made as one String, through Jackson's buffers, it took several
      // times its size at once, and a 10 MiB state ran the control plane's 128 MB heap out of memory
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
        Mappers.JSON.writeValue(out, next);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the state in " + file, e);
    }
    current = next;
    listeners.forEach(l -> l.accept(next));
    return new Commit(next, true);
  }
}
