package io.dkmsdeb.debiandir;

/** Debian version ordering (dpkg's verrevcmp, Debian policy 5.6.12): epoch, then upstream, then revision. */
public final class DebianVersion {
    private DebianVersion() {
    }

    /** Negative, zero or positive as {@code a} sorts before, equal to or after {@code b}. */
    public static int compare(String a, String b) {
        long ea = epoch(a);
        long eb = epoch(b);
        if (ea != eb) {
            return Long.compare(ea, eb);
        }
        String va = a.substring(a.indexOf(':') + 1);
        String vb = b.substring(b.indexOf(':') + 1);
        int dashA = va.lastIndexOf('-');
        int dashB = vb.lastIndexOf('-');
        int c = verrevcmp(dashA < 0 ? va : va.substring(0, dashA), dashB < 0 ? vb : vb.substring(0, dashB));
        return c != 0 ? c : verrevcmp(dashA < 0 ? "" : va.substring(dashA + 1), dashB < 0 ? "" : vb.substring(dashB + 1));
    }

    private static long epoch(String v) {
        int colon = v.indexOf(':');
        return colon < 0 ? 0 : Long.parseLong(v.substring(0, colon));
    }

    private static int order(int c) {
        if (Character.isDigit(c)) {
            return 0;
        }
        if (Character.isLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c == 0 ? 0 : c + 256;
    }

    private static int verrevcmp(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while (i < a.length() && !Character.isDigit(a.charAt(i)) || j < b.length() && !Character.isDigit(b.charAt(j))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return ac - bc;
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && Character.isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff;
            }
        }
        return 0;
    }
}
