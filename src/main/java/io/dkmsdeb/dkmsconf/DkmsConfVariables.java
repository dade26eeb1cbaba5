package io.dkmsdeb.dkmsconf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The dkms variables a dkms.conf set once sourced: each is a bash array (a plain assignment is
 * index 0), kept with its indices so that sparse arrays can be told apart.
 */
public final class DkmsConfVariables {
    private final Map<String, SortedMap<Integer, String>> values = new TreeMap<>();

    void put(String name, int index, String value) {
        values.computeIfAbsent(name, k -> new TreeMap<>()).put(index, value);
    }

    /** Element 0, or the empty string when unset (bash's {@code ${VAR}}). */
    public String scalar(String name) {
        return array(name).getOrDefault(0, "");
    }

    /** All set elements by index; empty when the variable is unset. */
    public SortedMap<Integer, String> array(String name) {
        return Collections.unmodifiableSortedMap(values.getOrDefault(name, new TreeMap<>()));
    }

    /** The variables (NAME or NAME[i]) whose value contains {@code text}, in name and index order. */
    public List<String> namesWith(String text) {
        List<String> names = new ArrayList<>();
        values.forEach((name, elements) -> elements.forEach((i, v) -> {
            if (v.contains(text)) {
                names.add(elements.size() == 1 && i == 0 ? name : name + "[" + i + "]");
            }
        }));
        return names;
    }

    public boolean isSet(String name) {
        return values.containsKey(name);
    }
}
