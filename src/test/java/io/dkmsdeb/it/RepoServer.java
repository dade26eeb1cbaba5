package io.dkmsdeb.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A static file server for a repository directory on 127.0.0.1, as a web server serves one: each
 * request opens the file its path names at that moment and sends what it reads. Every request is
 * logged with its status.
 */
final class RepoServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    RepoServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::serve);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The requests so far, each as {@code STATUS PATH}. */
    List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        Path file = root.resolve(path.substring(1)).normalize();
        int status;
        byte[] body;
        try {
            if (!file.startsWith(root) || path.contains("/.") || !Files.isRegularFile(file)) {
                throw new NoSuchFileException(path);
            }
            body = Files.readAllBytes(file);
            status = 200;
        } catch (IOException e) {
            body = new byte[0];
            status = 404;
        }
        log.add(status + " " + ex.getRequestMethod() + " " + path);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
