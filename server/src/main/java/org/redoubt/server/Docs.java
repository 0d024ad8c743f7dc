package org.redoubt.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.redoubt.engine.command.CommandDocs;

/**
 * Regenerates docs/commands.md with every module's commands:
 * {@code java -cp server/target/redoubt.jar org.redoubt.server.Docs .}
 */
public final class Docs {
    private Docs() {}

    public static String commandsMarkdown() {
        return CommandDocs.markdown(Server.families());
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(root.resolve("docs/commands.md"), commandsMarkdown(), StandardCharsets.UTF_8);
    }
}
