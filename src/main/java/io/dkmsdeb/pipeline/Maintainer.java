package io.dkmsdeb.pipeline;

import io.dkmsdeb.deb.Deb822;
import io.dkmsdeb.model.DkmsDebException;
import io.dkmsdeb.model.ModuleSourceException;
import io.dkmsdeb.model.UsageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the Maintainer field the way a packager would expect: the option, else the Maintainer
 * of a {@code debian/control} in the tree or its parent (as dpkg-buildpackage would use), else
 * {@code DEBFULLNAME} and {@code DEBEMAIL}.
 */
public final class Maintainer {
    private static final Pattern FORMAT = Pattern.compile("[^<>\\p{Cntrl}]*[^<>\\s\\p{Cntrl}] <[^<>@\\s]+@[^<>\\s]+>");

    private Maintainer() {
    }

    public static String resolve(String option, Path tree, Map<String, String> env) {
        if (option != null) {
            return check(option, "--maintainer");
        }
        for (Path control : new Path[] {tree.resolve("debian/control"), parent(tree).resolve("debian/control")}) {
            Optional<String> m = fromControl(control);
            if (m.isPresent()) {
                return check(m.get(), control.toString());
            }
        }
        String email = env.getOrDefault("DEBEMAIL", "").strip();
        String name = env.getOrDefault("DEBFULLNAME", "").strip();
        if (!email.isEmpty()) {
            if (email.contains("<")) {
                return check(email, "DEBEMAIL");
            }
            if (!name.isEmpty()) {
                return check(name + " <" + email + ">", "DEBFULLNAME and DEBEMAIL");
            }
        }
        throw new UsageException("no maintainer: pass --maintainer \"Name <mail@example.org>\", or set DEBFULLNAME and DEBEMAIL, "
                + "or put a debian/control with a Maintainer field in the module tree or its parent");
    }

    public static String check(String value, String origin) {
        String v = value.strip();
        if (!FORMAT.matcher(v).matches()) {
            throw new UsageException("maintainer '" + value.replace("\n", "\\n") + "' (from " + origin
                    + ") must have the form \"Full Name <mail@example.org>\" on one line");
        }
        return v;
    }

    private static Optional<String> fromControl(Path control) {
        if (!Files.isRegularFile(control)) {
            return Optional.empty();
        }
        try {
            // the source stanza's Maintainer, as dpkg-buildpackage uses it
            return Deb822.parse(Files.readString(control, StandardCharsets.UTF_8)).stream()
                    .map(p -> p.get("Maintainer")).flatMap(Optional::stream).findFirst();
        } catch (IOException e) {
            throw new DkmsDebException("cannot read " + control + ": " + e.getMessage(), e);
        } catch (Deb822.SyntaxException e) {
            throw new ModuleSourceException(control + ": " + e.getMessage() + "; fix the control file, or pass --maintainer", e);
        }
    }

    private static Path parent(Path tree) {
        Path abs = tree.toAbsolutePath().normalize();
        return abs.getParent() == null ? abs : abs.getParent();
    }
}
