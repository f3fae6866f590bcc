package dev.conceptprune.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every command's help as a user reads it: lines that fit, capitalised metavars, whole sentences. */
class HelpTest {
    private static List<CommandLine> commands() {
        CommandLine root = Main.commandLine();
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        all.addAll(root.getSubcommands().values());
        return all;
    }

    @Test
    void everyLineFitsTheUsageWidth() {
        for (CommandLine c : commands()) {
            int width = c.getUsageHelpWidth();
            for (String line : c.getUsageMessage().lines().toList()) {
                assertTrue(line.length() <= width, c.getCommandName() + ": " + line.length() + " > " + width
                        + ": " + line);
            }
        }
    }

    /** picocli formats every help text with String.format: a bare '%' prints a warning and the raw text. */
    @Test
    void everyHelpTextIsAValidFormatString() {
        for (CommandLine c : commands()) {
            List<String> texts = new ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            for (ArgSpec a : c.getCommandSpec().args()) {
                texts.addAll(List.of(a.description()));
            }
            for (String text : texts) {
                try {
                    String.format(text);
                } catch (java.util.IllegalFormatException e) {
                    throw new AssertionError(c.getCommandName() + ": '" + text + "': " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void noDottedNameIsSplitAcrossLines() {
        // picocli may break a line after any dot, which cuts names such as ff.net.2 or sweep.json in two.
        Pattern dotted = Pattern.compile("[\\w/<>-]+(\\.[\\w/<>-]+)+");
        for (CommandLine c : commands()) {
            String usage = c.getUsageMessage();
            List<String> texts = new ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            c.getCommandSpec().options().forEach(o -> texts.addAll(List.of(o.description())));
            for (String text : texts) {
                Matcher m = dotted.matcher(text);
                while (m.find()) {
                    assertTrue(usage.contains(m.group()), c.getCommandName() + ": '" + m.group()
                            + "' is split across lines");
                }
            }
        }
    }

    @Test
    void metavarsAreCapitalised() {
        for (CommandLine c : commands()) {
            CommandSpec spec = c.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                if (a.arity().max() == 0) {
                    continue;
                }
                assertTrue(a.paramLabel().chars().noneMatch(Character::isLowerCase),
                        c.getCommandName() + ": metavar " + a.paramLabel() + " of " + a);
            }
            assertFalse(c.getUsageMessage().contains("=<"), c.getCommandName() + ": a field-name metavar");
        }
    }

    @Test
    void descriptionsAreWholeParagraphs() {
        for (CommandLine c : commands()) {
            if (c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            for (String paragraph : c.getCommandSpec().usageMessage().description()) {
                assertTrue(paragraph.isEmpty() || paragraph.endsWith("."), c.getCommandName()
                        + ": a description line that does not end a sentence wraps into an orphan: " + paragraph);
            }
        }
    }

    @Test
    void theCommandListShowsWholeFirstSentences() {
        CommandLine root = Main.commandLine();
        List<String> lines = root.getUsageMessage().lines().map(String::strip).toList();
        for (var e : root.getSubcommands().entrySet()) {
            // picocli lists a command by its header when it has one (as its own help command does).
            CommandLine.Model.UsageMessageSpec usage = e.getValue().getCommandSpec().usageMessage();
            String first = usage.header().length > 0 ? usage.header()[0] : usage.description()[0];
            assertTrue(first.endsWith(".") && !first.substring(0, first.length() - 1).contains(". "),
                    e.getKey() + ": the first description line is one sentence: " + first);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(e.getKey() + " ")
                            && l.substring(e.getKey().length()).strip().equals(first)),
                    e.getKey() + ": the command list shows \"" + first + "\" on one line");
        }
    }
}
