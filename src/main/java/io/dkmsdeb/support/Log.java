package io.dkmsdeb.support;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * Where warnings and progress lines go. The command line points it at standard error; tests may
 * capture it. Messages are single lines, already phrased for a person.
 */
public final class Log {
    private static volatile Consumer<String> sink = System.err::println;
    private static volatile boolean quiet;

    private Log() {
    }

    public static void to(PrintStream stream, boolean quietInfo) {
        sink = stream::println;
        quiet = quietInfo;
    }

    public static void warn(String message) {
        sink.accept("dkms-deb: warning: " + message);
    }

    public static void info(String message) {
        if (!quiet) {
            sink.accept("dkms-deb: " + message);
        }
    }
}
