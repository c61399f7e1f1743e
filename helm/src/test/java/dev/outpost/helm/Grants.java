package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Role flattened to one string per permission, {@code group/resource[name]:verb} (core group
 * empty, {@code [name]} only when the rule names resources), so two sets of permissions compare
 * with plain set operations, e.g. against the calls the agent makes.
 */
final class Grants {

    private Grants() {
    }

    static Set<String> of(Role role) {
        return of(role.getRules());
    }

    static Set<String> of(List<PolicyRule> rules) {
        Set<String> grants = new TreeSet<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        if (rule.getResourceNames().isEmpty()) {
                            grants.add(group + "/" + resource + ":" + verb);
                        } else {
                            for (String name : rule.getResourceNames()) {
                                grants.add(group + "/" + resource + "[" + name + "]:" + verb);
                            }
                        }
                    }
                }
            }
        }
        return grants;
    }

    static Set<String> of(String... grants) {
        return new TreeSet<>(List.of(grants));
    }
}
