package io.dkmsdeb.pipeline.bmdeb;

import io.dkmsdeb.pipeline.DebianNames;
import io.dkmsdeb.pipeline.DocFiles;
import io.dkmsdeb.pipeline.Maintainer;
import io.dkmsdeb.deb.ControlFile;
import io.dkmsdeb.deb.DataLayout;
import io.dkmsdeb.deb.InstalledSize;
import io.dkmsdeb.model.deb.DebEntry;
import io.dkmsdeb.model.deb.DebPackage;
import io.dkmsdeb.model.UsageException;
import io.dkmsdeb.templates.ScriptTemplates;
import io.dkmsdeb.templates.TemplateValues;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Plans {@code NAME-modules-cert}, the package bmdeb writes once per call when it signs the
 * modules: the public certificate of the signing key in DER form at
 * {@code /usr/share/NAME-modules-cert/NAME-modules-cert.der}, for {@code mokutil --import} on
 * machines with Secure Boot, a README.Debian saying how, and the doc files. Architecture all, the
 * -modules packages' version; they recommend it.
 */
public final class CertPackagePlanner {
    private final ScriptTemplates templates;

    public CertPackagePlanner(ScriptTemplates templates) {
        this.templates = templates;
    }

    /**
     * An X.509 certificate as read from a PEM or DER file.
     *
     * @param der         its DER encoding, as {@code openssl x509 -outform DER} writes it
     * @param subject     its subject, as RFC 2253 writes a distinguished name
     * @param fingerprint SHA-256 of the DER, upper-case hex pairs separated by ':'
     */
    public record Certificate(byte[] der, String subject, String fingerprint) {
        public Certificate {
            der = der.clone();
        }

        @Override
        public byte[] der() {
            return der.clone();
        }
    }

    /**
     * Reads the certificate given to --sign-cert (or dkms's mok.pub): PEM or DER.
     *
     * @throws UsageException when the file is not an X.509 certificate
     */
    public static Certificate read(Path cert) {
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            byte[] der = x.getEncoded();
            String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
            return new Certificate(der, x.getSubjectX500Principal().getName(), fingerprint);
        } catch (IOException | CertificateException e) {
            throw new UsageException("cannot read " + cert + " as an X.509 certificate (PEM or DER): " + e.getMessage()
                    + "; give the signing key's certificate with --sign-cert", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * The package.
     *
     * @param names      the -modules packages' names (of any kernel): base name and version
     * @param module     PACKAGE_NAME
     * @param version    PACKAGE_VERSION
     * @param maintainer the -modules packages' Maintainer
     */
    public DebPackage plan(ModulesPackagePlanner.Names names, String module, String version, String maintainer, Certificate cert,
                           long epochSeconds) {
        String pkg = DebianNames.modulesCertPackage(names.providesBase());
        List<DebEntry> data = new ArrayList<>();
        data.add(DebEntry.file("usr/share/" + pkg + "/" + pkg + ".der", 0644, DebEntry.Data.of(cert.der())));
        data.addAll(DocFiles.entries(templates, "cert", new DocFiles.About(pkg, names.debianVersion(), module, version, maintainer,
                List.of(), null), epochSeconds));
        TemplateValues values = new TemplateValues().shell("package", pkg).shell("base", names.providesBase()).shell("module", module)
                .shell("version", version).text("subject", cert.subject()).text("fingerprint", cert.fingerprint())
                .text("maintainer", maintainer).text("date", DocFiles.date(epochSeconds));
        data.add(DebEntry.file("usr/share/doc/" + pkg + "/README.Debian", 0644, DebEntry.Data.of(templates.render("cert/README.Debian.ftl", values))));
        data = DataLayout.normalize(data);
        ControlFile control = new ControlFile()
                .set("Package", pkg)
                .set("Source", DebianNames.dkmsBinSource(names.providesBase()))
                .set("Version", names.debianVersion())
                .set("Architecture", "all")
                .set("Maintainer", maintainer)
                .set("Installed-Size", Long.toString(InstalledSize.kib(data, List.of())))
                .set("Section", "kernel")
                .set("Priority", "optional")
                .set("Description", ControlFile.description("certificate of the key that signed the " + module + " kernel modules",
                        "This package contains the public X.509 certificate (DER) of the key that signed the " + module + " " + version
                                + " kernel modules of the " + names.providesBase() + "-modules-KVER packages. On a machine with UEFI "
                                + "Secure Boot, enroll it as a Machine Owner Key with mokutil so that the kernel loads the modules; "
                                + "README.Debian says how."));
        return new DebPackage(control.fields(), Map.of(), data);
    }
}
