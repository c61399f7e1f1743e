package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeepDerivativeTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0} within {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "{}                         | {\"a\":1}                     | true",
      "{\"a\":1}                  | {\"a\":1,\"b\":2}             | true",
      "{\"a\":1}                  | {\"a\":2}                     | false",
      "{\"a\":1}                  | {}                            | false",
      "{\"a\":{\"b\":1}}          | {\"a\":{\"b\":1,\"c\":3}}     | true",
      "{\"a\":[1,2]}              | {\"a\":[1,2]}                 | true",
      "{\"a\":[1,2]}              | {\"a\":[1]}                   | false",
      "{\"a\":[1]}                | {\"a\":[1,2]}                 | false",
      "{\"a\":[{\"x\":1}]}        | {\"a\":[{\"x\":1,\"y\":2}]}   | true",
      "{\"a\":[]}                 | {}                            | true",
      "{\"a\":{}}                 | {}                            | true",
      // the API server leaves an empty string out (a chart toleration's value: "")
      "{\"value\":\"\"}           | {}                            | true",
      "{\"value\":\"\"}           | {\"value\":\"x\"}             | false",
      // the server leaves a pod's plain booleans out when false, not the optional ones, whose absence means true
      "{\"hostNetwork\":false}    | {}                            | true",
      "{\"hostNetwork\":false}    | {\"hostNetwork\":true}       | false",
      "{\"hostPID\":true}         | {}                            | false",
      "{\"automountServiceAccountToken\":false} | {}              | false",
      "{\"allowPrivilegeEscalation\":false}     | {}              | false",
      // added by someone else, these expose the integration past the gateway
      "{\"type\":\"ClusterIP\"}       | {\"type\":\"ClusterIP\",\"externalIPs\":[\"10.0.0.9\"]} | false",
      "{\"type\":\"ClusterIP\"}       | {\"type\":\"ClusterIP\",\"externalIPs\":[]}            | true",
      "{\"containerPort\":8080}       | {\"containerPort\":8080,\"hostPort\":8080}               | false",
      "{\"containerPort\":8080}       | {\"containerPort\":8080,\"protocol\":\"TCP\"}           | true",
      // added by someone else, these raise the integration's privileges
      "{\"containers\":[]}       | {\"containers\":[],\"initContainers\":[{\"name\":\"x\"}]} | false",
      "{\"containers\":[]}       | {\"containers\":[],\"ephemeralContainers\":[{\"name\":\"x\"}]} | false",
      "{\"runAsNonRoot\":true}    | {\"runAsNonRoot\":true,\"privileged\":true}          | false",
      "{\"runAsNonRoot\":true}    | {\"runAsNonRoot\":true,\"privileged\":false}         | true",
      "{\"capabilities\":{\"drop\":[\"ALL\"]}} | {\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"SYS_ADMIN\"]}} | false",
      "{\"capabilities\":{\"drop\":[\"ALL\"]}} | {\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[]}}            | true",
      "{\"a\":1.0}                | {\"a\":1}                     | true",
      "{\"a\":\"1\"}              | {\"a\":1}                     | false",
      "{\"a\":null}               | {\"a\":5}                     | true",
      "{\"a\":{\"b\":1}}          | {\"a\":\"b\"}                 | false",
      // resource quantities as the API server stores them
      "{\"requests\":{\"cpu\":\"0.5\"}}   | {\"requests\":{\"cpu\":\"500m\"}}     | true",
      "{\"limits\":{\"memory\":\"1Gi\"}}  | {\"limits\":{\"memory\":\"1024Mi\"}}  | true",
      "{\"limits\":{\"cpu\":\"1e3\"}}     | {\"limits\":{\"cpu\":\"1k\"}}         | true",
      "{\"requests\":{\"cpu\":\"500m\"}}  | {\"requests\":{\"cpu\":\"600m\"}}     | false",
      "{\"requests\":{\"cpu\":\"1\"}}     | {\"requests\":{\"cpu\":\"x\"}}        | false",
      "{\"image\":\"0.5\"}                | {\"image\":\"500m\"}                  | false",
  })
  void liveHoldsWhatWasAskedFor(String desired, String live, boolean holds) throws Exception {
    assertThat(DeepDerivative.holds(JSON.readTree(desired), JSON.readTree(live))).isEqualTo(holds);
  }

  /** A difference is named by its path, never by its value (an integration's config may be one). */
  @ParameterizedTest(name = "{0} within {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "{\"spec\":{\"replicas\":1}}                             | {\"spec\":{\"replicas\":7}}              | spec.replicas",
      "{\"c\":[{\"image\":\"a\"},{\"image\":\"b\"}]}     | {\"c\":[{\"image\":\"a\"},{\"image\":\"evil\"}]} | c[1].image",
      "{\"c\":[1,2]}                                            | {\"c\":[1]}                                | c",
      "{\"s\":{\"type\":\"ClusterIP\"}}                      | {\"s\":{\"type\":\"ClusterIP\",\"externalIPs\":[\"10.0.0.9\"]}} | s.externalIPs",
      "{\"a\":1}                                                 | []                                          | (the whole object)",
  })
  void aDifferenceIsNamedByItsPath(String desired, String live, String path) throws Exception {
    assertThat(DeepDerivative.difference(JSON.readTree(desired), JSON.readTree(live))).contains(path);
    assertThat(DeepDerivative.difference(JSON.readTree(desired), JSON.readTree(desired))).isEmpty();
  }
}
