package dev.outpost.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** values.yaml, values.schema.json and README.md describe the same keys, each with its default. */
class ValuesDocumentationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)([A-Za-z0-9_.\\-/]+):.*$");

    private static List<String> lines;
    private static Map<String, Object> values;
    private static JsonNode schema;
    private static String readme;

    @BeforeAll
    static void read() throws IOException {
        lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
        values = Yaml.read(Chart.DIR.resolve("values.yaml"));
        schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
        readme = Files.readString(Chart.DIR.resolve("README.md"));
    }

    @Test
    void valuesPointEditorsAtTheSchema() {
        assertThat(lines.get(0)).isEqualTo("# yaml-language-server: $schema=values.schema.json");
    }

    @Test
    void everyKeyHasACommentAboveIt() {
        List<String> undocumented = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            Matcher key = KEY_LINE.matcher(lines.get(i));
            if (key.matches() && !isWithinFreeFormBlock(i) && !lines.get(i - 1).trim().startsWith("# -- ")) {
                undocumented.add((i + 1) + ": " + lines.get(i).trim());
            }
        }
        assertThat(undocumented).isEmpty();
    }

    /** Keys inside example values (list items, resources, selectors) need no comment of their own. */
    private static boolean isWithinFreeFormBlock(int index) {
        int indent = indent(lines.get(index));
        for (int i = index - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.isBlank() || line.trim().startsWith("#") || indent(line) >= indent) {
                continue;
            }
            String parent = line.trim();
            return parent.startsWith("-")
                    || List.of("requests:", "limits:", "namespaceSelector:", "podSelector:").contains(parent);
        }
        return false;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    @Test
    void theSchemaDescribesEveryKeyWithItsDefaultAndRefusesUnknownOnes() {
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        collect("", schema, leaves, new ArrayList<>());
        List<String> problems = new ArrayList<>();
        collect("", schema, leaves, problems);

        assertThat(problems).isEmpty();
        for (Map.Entry<String, JsonNode> leaf : leaves.entrySet()) {
            JsonNode expected = JSON.valueToTree(valueAt(leaf.getKey()));
            assertThat(leaf.getValue().get("default")).as(leaf.getKey() + " default").isEqualTo(expected);
        }
        assertThat(leaves.keySet()).as("every top-level value is in the schema")
                .allMatch(path -> values.containsKey(path.split("\\.")[0]));
        assertThat(values.keySet()).allMatch(top -> schema.get("properties").has(top));
    }

    /**
     * What Helm gives the chart as an umbrella chart's dependency ({@code global}, and {@code enabled}
     * under a condition): in the schema, so that it is accepted, but no value of this chart.
     */
    private static final java.util.Set<String> GIVEN_BY_HELM = java.util.Set.of("global", "enabled");

    /** Walks the schema: leaves (no properties) must carry description and default; objects refuse unknown keys. */
    private static void collect(String path, JsonNode node, Map<String, JsonNode> leaves, List<String> problems) {
        if (!path.isEmpty() && !node.hasNonNull("description")) {
            problems.add(path + ": no description");
        }
        JsonNode properties = node.get("properties");
        if (properties == null) {
            if (!node.has("default")) {
                problems.add(path + ": no default");
            }
            leaves.put(path, node);
            return;
        }
        boolean open = path.equals("podSecurityContext") || path.equals("containerSecurityContext");
        if (!open && !node.path("additionalProperties").isBoolean()) {
            problems.add(path + ": additionalProperties is not set");
        } else if (!open && node.get("additionalProperties").asBoolean()) {
            problems.add(path + ": accepts unknown keys");
        }
        properties.fields().forEachRemaining(field -> {
            if (!(path.isEmpty() && GIVEN_BY_HELM.contains(field.getKey()))) {
                collect(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), leaves, problems);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Object valueAt(String path) {
        Object current = values;
        for (String key : path.split("\\.")) {
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    @Test
    void theSchemaAndTheReadmeSayWhatTheCommentsSay() {
        Map<String, String> comments = comments();
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        collect("", schema, leaves, new ArrayList<>());

        assertThat(leaves).isNotEmpty();
        for (String path : leaves.keySet()) {
            String description = leaves.get(path).get("description").asText();
            assertThat(description).as(path + " in values.schema.json").isEqualTo(comments.get(path));
            assertThat(readme.lines().filter(l -> l.startsWith("| `" + path + "` |")))
                    .as("README row for " + path).singleElement().asString().endsWith("| " + description.replace("|", "\\|") + " |");
        }
    }

    /** The {@code # --} comment above each key of values.yaml, by dotted path. */
    private static Map<String, String> comments() {
        Map<String, String> comments = new LinkedHashMap<>();
        List<int[]> indents = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            Matcher key = KEY_LINE.matcher(lines.get(i));
            if (!key.matches() || isWithinFreeFormBlock(i)) {
                continue;
            }
            int indent = key.group(1).length();
            while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
                indents.remove(indents.size() - 1);
                keys.remove(keys.size() - 1);
            }
            indents.add(new int[] {indent});
            keys.add(key.group(2));
            String above = lines.get(i - 1).trim();
            if (above.startsWith("# -- ")) {
                comments.put(String.join(".", keys), above.substring(5));
            }
        }
        return comments;
    }
}
