//! Pipes: `COMMAND | grep PATTERN | head -n 5 | tail -3 | wc -l`. The first
//! command runs as typed; its standard output flows through the filters, as
//! in bash, while its standard error goes straight to the terminal. Only the
//! filters trainees reach for are modelled; any other command after a `|`
//! gets a plain message rather than a misleading error.

use super::CommandOutput;

/// The commands that can follow a `|`, for `help` and the error message.
pub const FILTERS: &str = "grep [-i] [-v] [-c] [-n] [-E] PATTERN, head [-n N], tail [-n N], wc -l";

/// Splits a command line's words at unquoted `|` words: `None` when there is no pipe.
pub fn stages(words: &[String]) -> Option<Vec<Vec<String>>> {
    if !words.iter().any(|w| w == "|") {
        return None;
    }
    Some(words.split(|w| w == "|").map(<[String]>::to_vec).collect())
}

/// Feeds `input` (the first command's output) through each filter stage in turn.
pub fn filter(input: CommandOutput, filters: &[Vec<String>]) -> CommandOutput {
    let mut stdout = input.stdout;
    let mut stderr = input.stderr;
    let mut exit_code = input.exit_code;
    for stage in filters {
        let args: Vec<&str> = stage.iter().map(String::as_str).collect();
        let result = match args.first().copied() {
            None => return CommandOutput::err("bash: syntax error near unexpected token `|'\n", 2),
            Some("grep") => grep(&args[1..], &stdout),
            Some("head") => head_or_tail(&args, &stdout, true),
            Some("tail") => head_or_tail(&args, &stdout, false),
            Some("wc") => wc(&args[1..], &stdout),
            Some(other) => CommandOutput::err(format!("bash: {other}: this terminal's pipes support only {FILTERS} after a `|`\n"), 127),
        };
        stdout = result.stdout;
        stderr.push_str(&result.stderr);
        exit_code = result.exit_code;
        if exit_code > 1 {
            break;
        }
    }
    CommandOutput { stdout, stderr, exit_code }
}

fn grep(args: &[&str], text: &str) -> CommandOutput {
    let (mut ignore_case, mut invert, mut count, mut numbers, mut extended) = (false, false, false, false, false);
    let mut pattern: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "-e" {
            pattern = args.get(i + 1).copied();
            i += 2;
            continue;
        }
        if a.starts_with('-') && a.len() > 1 && pattern.is_none() {
            for c in a[1..].chars() {
                match c {
                    'i' => ignore_case = true,
                    'v' => invert = true,
                    'c' => count = true,
                    'n' => numbers = true,
                    'E' => extended = true,
                    other => {
                        return CommandOutput::err(
                            format!("grep: invalid option -- '{other}'\nThis terminal's grep supports -i, -v, -c, -n, -E and -e.\n"),
                            2,
                        );
                    }
                }
            }
        } else if pattern.is_none() {
            pattern = Some(a);
        } else {
            return CommandOutput::err(format!("grep: {a}: files are not read after a pipe in this terminal\n"), 2);
        }
        i += 1;
    }
    let Some(pattern) = pattern else {
        return CommandOutput::err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2);
    };
    let pattern = if ignore_case { pattern.to_lowercase() } else { pattern.to_string() };
    let alternatives: Vec<&str> = if extended { pattern.split('|').collect() } else { vec![pattern.as_str()] };
    if let Some(bad) = alternatives.iter().find_map(|p| unsupported(p, extended)) {
        return CommandOutput::err(
            format!(
                "grep: `{bad}` in a pattern is not supported in this terminal: use plain text, `.`, `*`, `^` and `$` (and `|` with -E)\n"
            ),
            2,
        );
    }
    let mut out = String::new();
    let mut matched = 0;
    for (n, line) in text.lines().enumerate() {
        let subject = if ignore_case { line.to_lowercase() } else { line.to_string() };
        let hit = alternatives.iter().any(|p| matches(p, &subject));
        if hit != invert {
            matched += 1;
            if !count {
                if numbers {
                    out.push_str(&format!("{}:", n + 1));
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if count {
        out = format!("{matched}\n");
    }
    CommandOutput { stdout: out, stderr: String::new(), exit_code: if matched > 0 { 0 } else { 1 } }
}

/// The first regular-expression feature of `pattern` this grep does not model.
fn unsupported(pattern: &str, extended: bool) -> Option<String> {
    let special: &[char] = if extended { &['[', '(', ')', '+', '?', '{', '\\'] } else { &['[', '\\'] };
    pattern.chars().find(|c| special.contains(c)).map(String::from)
}

/// Whether `pattern` (literal characters, `.`, `*`, `^`, `$`) matches somewhere in `text`,
/// as Kernighan and Pike's matcher does.
fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    if let Some(rest) = p.strip_prefix(&['^']) {
        return match_here(rest, &t);
    }
    (0..=t.len()).any(|start| match_here(&p, &t[start..]))
}

fn match_here(p: &[char], t: &[char]) -> bool {
    match p {
        [] => true,
        [c, '*', rest @ ..] => {
            let mut i = 0;
            loop {
                if match_here(rest, &t[i..]) {
                    return true;
                }
                if i < t.len() && (*c == '.' || t[i] == *c) {
                    i += 1;
                } else {
                    return false;
                }
            }
        }
        ['$'] => t.is_empty(),
        [c, rest @ ..] => !t.is_empty() && (*c == '.' || t[0] == *c) && match_here(rest, &t[1..]),
    }
}

fn head_or_tail(args: &[&str], text: &str, head: bool) -> CommandOutput {
    let name = args[0];
    let mut count = 10usize;
    let mut i = 1;
    while i < args.len() {
        let a = args[i];
        let value = if a == "-n" {
            i += 1;
            args.get(i).copied()
        } else if let Some(v) = a.strip_prefix("-n").or_else(|| a.strip_prefix("--lines=")) {
            Some(v)
        } else if let Some(v) = a.strip_prefix('-') {
            Some(v)
        } else {
            return CommandOutput::err(
                format!("{name}: cannot open '{a}' for reading: files are not read after a pipe in this terminal\n"),
                1,
            );
        };
        match value.and_then(|v| v.parse::<usize>().ok()) {
            Some(n) => count = n,
            None => return CommandOutput::err(format!("{name}: invalid number of lines: '{}'\n", value.unwrap_or("")), 1),
        }
        i += 1;
    }
    let lines: Vec<&str> = text.lines().collect();
    let kept = if head { &lines[..count.min(lines.len())] } else { &lines[lines.len().saturating_sub(count)..] };
    let mut out = kept.join("\n");
    if !kept.is_empty() {
        out.push('\n');
    }
    CommandOutput::ok(out)
}

fn wc(args: &[&str], text: &str) -> CommandOutput {
    match args {
        ["-l"] => CommandOutput::ok(format!("{}\n", text.matches('\n').count())),
        _ => CommandOutput::err("wc: this terminal's wc counts lines only: use `wc -l`\n", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, stages: &[&[&str]]) -> CommandOutput {
        let stages: Vec<Vec<String>> = stages.iter().map(|s| s.iter().map(|w| w.to_string()).collect()).collect();
        filter(CommandOutput::ok(text), &stages)
    }

    #[test]
    fn grep_keeps_matching_lines_and_exits_one_without_a_match() {
        let text = "NAME READY\npay-1 Running\npay-2 Pending\n";
        assert_eq!(run(text, &[&["grep", "Running"]]).stdout, "pay-1 Running\n");
        assert_eq!(run(text, &[&["grep", "-v", "Running"]]).stdout, "NAME READY\npay-2 Pending\n");
        assert_eq!(run(text, &[&["grep", "-c", "pay"]]).stdout, "2\n");
        assert_eq!(run(text, &[&["grep", "-i", "running"]]).stdout, "pay-1 Running\n");
        assert_eq!(run(text, &[&["grep", "^pay.*g$"]]).stdout, "pay-1 Running\npay-2 Pending\n");
        assert_eq!(run(text, &[&["grep", "-E", "READY|Pending"]]).stdout, "NAME READY\npay-2 Pending\n");
        assert_eq!(run(text, &[&["grep", "Failed"]]).exit_code, 1);
        assert_eq!(run(text, &[&["grep", "[a-z]"]]).exit_code, 2);
    }

    #[test]
    fn head_tail_and_wc_count_lines() {
        let text = "1\n2\n3\n4\n";
        assert_eq!(run(text, &[&["head", "-n", "2"]]).stdout, "1\n2\n");
        assert_eq!(run(text, &[&["tail", "-1"]]).stdout, "4\n");
        assert_eq!(run(text, &[&["grep", "-v", "2"], &["wc", "-l"]]).stdout, "3\n");
        assert_eq!(run(text, &[&["sort"]]).exit_code, 127);
    }
}
