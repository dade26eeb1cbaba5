package io.dkmsdeb.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small module source trees written by the tests: one C file, a Kbuild and a dkms.conf. */
public final class ModuleTrees {
    /** A module that compiles and does nothing. */
    public static final String GOOD_C = "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n";

    private ModuleTrees() {
    }

    /** A dkms.conf for one module NAME installed to /updates/dkms. */
    public static String conf(String name, String version) {
        return "PACKAGE_NAME=" + name + "\nPACKAGE_VERSION=" + version + "\nBUILT_MODULE_NAME[0]=" + name
                + "\nDEST_MODULE_LOCATION[0]=/updates/dkms\n";
    }

    /** {@code dir} with NAME.c holding {@code cSource}, a Kbuild building NAME.o and, unless null, {@code dkmsConf}. */
    public static Path write(Path dir, String name, String cSource, String dkmsConf) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".c"), cSource);
        Files.writeString(dir.resolve("Kbuild"), "obj-m := " + name + ".o\n");
        if (dkmsConf != null) {
            Files.writeString(dir.resolve("dkms.conf"), dkmsConf);
        }
        return dir;
    }
}
