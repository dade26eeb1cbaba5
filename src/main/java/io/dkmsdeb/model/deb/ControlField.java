package io.dkmsdeb.model.deb;

import io.dkmsdeb.model.ModuleSourceException;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One field of a binary package's control file. Values are single lines, except
 * {@code Description}, whose continuation lines are kept as given (each starting with a space).
 */
public record ControlField(String name, String value) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]*");

    public ControlField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!NAME.matcher(name).matches()) {
            throw new ModuleSourceException("control field name must be letters, digits and '-': '" + name + "'");
        }
        if (value.isBlank()) {
            throw new ModuleSourceException("control field " + name + " must not be empty");
        }
        for (String line : value.split("\n", -1)) {
            if (line.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                throw new ModuleSourceException("control field " + name + " contains a control character");
            }
        }
        if (value.contains("\n")) {
            String[] lines = value.split("\n", -1);
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].startsWith(" ") || lines[i].isBlank()) {
                    throw new ModuleSourceException("continuation lines of control field " + name
                            + " must start with a space and not be empty (use ' .' for a blank line)");
                }
            }
        }
    }
}
