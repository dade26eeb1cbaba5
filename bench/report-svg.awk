# Input as report-md.awk. Output: an SVG plot of wall time (fastest run) against the number of kernels
# (1, 2, 4, 8) for bmdeb and dkms, from bigmodule-bench's rows.
$1 == "bigmodule-bench" && $2 == "row" && $3 ~ /^kernels-/ { n = substr($3, 9); t[$4, n] = $5; if ($5 > max) max = $5; any = 1 }
function x(n) { return 60 + (n - 1) / 7 * 420 }
function y(v) { return 260 - v / top * 220 }
END {
    W = 540; H = 300
    top = max > 0 ? max * 1.1 : 1
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
    print "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    print "<text x=\"270\" y=\"20\" text-anchor=\"middle\">wall time (s, fastest run) against number of kernels</text>"
    print "<line x1=\"60\" y1=\"260\" x2=\"490\" y2=\"260\" stroke=\"black\"/><line x1=\"60\" y1=\"40\" x2=\"60\" y2=\"260\" stroke=\"black\"/>"
    split("1 2 4 8", ns, " ")
    for (i = 1; i <= 4; i++) printf "<text x=\"%.1f\" y=\"278\" text-anchor=\"middle\">%s</text>\n", x(ns[i]), ns[i]
    print "<text x=\"275\" y=\"295\" text-anchor=\"middle\">kernels</text>"
    for (i = 0; i <= 4; i++) printf "<text x=\"54\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", y(top * i / 4) + 4, top * i / 4
    if (!any) {
        print "<text x=\"275\" y=\"150\" text-anchor=\"middle\">not measured in this run (bench/bigmodule-bench.sh)</text>"
    }
    split("bmdeb dkms", sides, " "); color["bmdeb"] = "#1f77b4"; color["dkms"] = "#d62728"
    for (s = 1; s <= 2; s++) {
        side = sides[s]; pts = ""
        for (i = 1; i <= 4; i++) if ((side, ns[i]) in t) {
            pts = pts sprintf("%.1f,%.1f ", x(ns[i]), y(t[side, ns[i]]))
            printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x(ns[i]), y(t[side, ns[i]]), color[side]
        }
        if (pts != "") printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", pts, color[side]
        printf "<text x=\"430\" y=\"%d\" fill=\"%s\">%s</text>\n", 50 + 16 * s, color[side], side
    }
    print "</svg>"
}
