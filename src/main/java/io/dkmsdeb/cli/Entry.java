package io.dkmsdeb.cli;

import io.dkmsdeb.support.Version;

/**
 * The jar's entry point. {@code --version} alone is answered here, without picocli: picocli's
 * classes cannot be kept in the class-data archive (their class files are too old for it), and
 * loading them and building the command line's model would be most of the command's time.
 * Everything else goes to {@link Main}.
 */
public final class Entry {
    private Entry() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(versionLine());
            System.exit(0);
        }
        Main.main(args);
    }

    /** What {@code dkms-deb --version} prints. */
    static String versionLine() {
        return "dkms-deb " + Version.get();
    }
}
