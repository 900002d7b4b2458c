//! `gitops-lab quiz`: a topic's quiz, the final check or a lab's closing
//! questions in a terminal, with every question type and a result record.

use simulator::content::{self, ContentFiles};
use simulator::lab::Lab;
use simulator::quiz::{
    Answer, Attempt, FINAL_QUESTIONS, FINAL_QUIZ, Feedback, PASS_PERCENT, Presented, QuestionKind, QuizResult, Selection,
};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// What `gitops-lab quiz` was asked to do.
pub struct QuizArgs<'a> {
    pub topic: Option<&'a str>,
    pub list: bool,
    pub seed: Option<u64>,
    pub attempt: u32,
    pub record: Option<&'a Path>,
}

/// `gitops-lab quiz [TOPIC|final] [--list] [--seed N] [--attempt N] [--record FILE]`.
pub fn run(files: &ContentFiles, args: &QuizArgs) -> ExitCode {
    let (banks, labs) = match content::banks(files).and_then(|b| Ok((b, content::labs(files)?))) {
        Ok(both) => both,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(topic) = args.topic.filter(|_| !args.list) else {
        let rows: Vec<Vec<String>> = std::iter::once(vec!["TOPIC".into(), "QUESTIONS".into(), "TITLE".into()])
            .chain(banks.iter().map(|b| vec![b.topic.clone(), b.questions.len().to_string(), b.title.clone()]))
            .chain(std::iter::once(vec![
                FINAL_QUIZ.into(),
                FINAL_QUESTIONS.to_string(),
                "Final check: a mix of every topic, feedback at the end".into(),
            ]))
            .collect();
        print!("{}", simulator::cli::table::tabwrite(&rows, 0, 3));
        return ExitCode::SUCCESS;
    };
    // The record's path is checked before the first question, not after the last answer.
    if let Some(path) = args.record {
        if let Err(e) = std::fs::OpenOptions::new().append(true).create(true).open(path) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let attempt = match Attempt::new(&Selection::named(topic), &banks, &labs, seed, args.attempt.max(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{} ({} questions, pass mark {PASS_PERCENT}%, seed {seed}, attempt {})",
        attempt.title,
        attempt.questions.len(),
        attempt.number
    );
    let result = ask(&attempt, &mut std::io::stdin().lock());
    if let Some(path) = args.record {
        let json = serde_json::to_string_pretty(&result).expect("a result serialises");
        if let Err(e) = std::fs::write(path, json + "\n") {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    if result.passed {
        println!("Passed.");
        ExitCode::SUCCESS
    } else {
        println!("Not passed yet: read the explanations and retake it (`--attempt {}` draws again).", attempt.number + 1);
        ExitCode::FAILURE
    }
}

/// Asks a lab's closing questions after its last step.
pub fn closing(lab: &Lab, files: &ContentFiles, input: &mut impl BufRead) {
    if lab.quiz.is_empty() {
        return;
    }
    let banks = content::banks(files).unwrap_or_default();
    let labs = content::labs(files).unwrap_or_default();
    let selection = Selection::Questions { id: lab.id.clone(), title: format!("{}: quiz", lab.title), ids: lab.quiz.clone() };
    match Attempt::new(&selection, &banks, &labs, 1, 1) {
        Ok(attempt) => {
            ask(&attempt, input);
        }
        Err(e) => eprintln!("error: {e}"),
    }
}

/// Asks every question, gives feedback when the attempt says so, and returns the result.
pub fn ask(attempt: &Attempt, input: &mut impl BufRead) -> QuizResult {
    let started = Instant::now();
    println!("\n── Quiz: {} questions ──", attempt.questions.len());
    let mut answers: Vec<Option<Answer>> = Vec::new();
    for (n, p) in attempt.questions.iter().enumerate() {
        println!("\n{}. {}", n + 1, p.question.prompt.trim());
        let Some(answer) = ask_one(p, input) else {
            println!();
            break;
        };
        if attempt.feedback == Feedback::EachQuestion {
            feedback(p, &answer);
        }
        answers.push(Some(answer));
    }
    if attempt.feedback == Feedback::AtEnd {
        println!("\n── Answers ──");
        for (n, (p, a)) in attempt.questions.iter().zip(&answers).enumerate() {
            println!("\n{}. {}", n + 1, p.question.prompt.trim());
            if let Some(a) = a {
                feedback(p, a);
            }
        }
    }
    let result = attempt.result(&answers, started.elapsed().as_secs());
    println!(
        "\nQuiz score: {}% ({} of {} answered, {} fully right; pass mark {PASS_PERCENT}%).",
        result.score,
        result.answered,
        result.questions,
        result.answers.iter().filter(|a| a.correct).count()
    );
    result
}

/// Shows one question's choices and reads an answer; `None` at the end of input.
fn ask_one(p: &Presented, input: &mut impl BufRead) -> Option<Answer> {
    if let Some(sim) = &p.question.simulation {
        // The seed means nothing to a trainee, and a prediction's key holds for every seed.
        println!("   The simulation (in the world of the lab `{}`):", sim.lab);
        for c in &sim.commands {
            println!("     $ {c}");
        }
    }
    let shown = p.shown();
    let ask = match p.question.kind {
        QuestionKind::Ordering => {
            for (i, item) in shown.iter().enumerate() {
                println!("   {}) {item}", i + 1);
            }
            format!("Your order, first to last (for example {}):", example(shown.len(), |i| (i + 1).to_string()))
        }
        QuestionKind::Matching => {
            for (i, pair) in p.question.pairs.iter().enumerate() {
                println!("   {}. {}", i + 1, pair.left);
            }
            println!("   Match each with one of:");
            for (i, right) in shown.iter().enumerate() {
                println!("   {}) {right}", letter(i));
            }
            format!("Your matches, row by row (for example {}):", example(shown.len(), letter))
        }
        _ => {
            for (i, choice) in shown.iter().enumerate() {
                println!("   {}) {choice}", i + 1);
            }
            if p.picks_many() { "Your answers (for example 1,3; none if nothing applies):" } else { "Your answer:" }.to_string()
        }
    };
    // Anything unclear (a typo, a stray Enter, a number out of range) asks again rather than
    // being graded as no answer.
    loop {
        print!("{ask} ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        match parse_answer(p, &line) {
            Ok(positions) => return Some(p.answer_from_shown(&positions)),
            Err(why) => println!("   {why}"),
        }
    }
}

/// Reads a typed answer as shown positions: numbers (`2`, `1,3`), a choice's own words (`false`,
/// `True`), letters for matching (`b,a,c` or `B A C`), or `none` where several may be picked.
pub fn parse_answer(p: &Presented, line: &str) -> Result<Vec<usize>, String> {
    let shown = p.shown();
    let tokens: Vec<&str> = line.split([',', ' ']).map(str::trim).filter(|t| !t.is_empty()).collect();
    if p.question.kind == QuestionKind::Matching {
        let rows = p.question.pairs.len();
        let letters: Option<Vec<usize>> = tokens
            .iter()
            .map(|t| {
                let mut chars = t.chars();
                match (chars.next().map(|c| c.to_ascii_lowercase()), chars.next()) {
                    (Some(c), None) if c.is_ascii_lowercase() && ((c as u8 - b'a') as usize) < shown.len() => {
                        Some((c as u8 - b'a') as usize)
                    }
                    _ => None,
                }
            })
            .collect();
        return match letters {
            Some(l) if l.len() == rows => Ok(l),
            _ => Err(format!(
                "Please give one letter (a to {}) for each of the {rows} rows, for example {}.",
                letter(shown.len() - 1),
                example(rows, letter)
            )),
        };
    }
    if p.question.kind == QuestionKind::Ordering {
        let numbers: Option<Vec<usize>> =
            tokens.iter().map(|t| t.parse::<usize>().ok().filter(|n| (1..=shown.len()).contains(n)).map(|n| n - 1)).collect();
        let mut sorted = numbers.clone().unwrap_or_default();
        sorted.sort_unstable();
        return match numbers {
            Some(n) if sorted == (0..shown.len()).collect::<Vec<_>>() => Ok(n),
            _ => Err(format!("Please give each number from 1 to {} once, in your order.", shown.len())),
        };
    }
    if p.picks_many() && tokens.len() == 1 && tokens[0].eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    // A choice's whole text, typed in any case (`false` for "False").
    let whole = line.trim();
    if let Some(k) = shown.iter().position(|c| !whole.is_empty() && c.eq_ignore_ascii_case(whole)) {
        return Ok(vec![k]);
    }
    let numbers: Option<Vec<usize>> =
        tokens.iter().map(|t| t.parse::<usize>().ok().filter(|n| (1..=shown.len()).contains(n)).map(|n| n - 1)).collect();
    match numbers {
        Some(n) if !n.is_empty() && (p.picks_many() || n.len() == 1) => Ok(n),
        _ if p.picks_many() => Err(format!("Please give the numbers of your answers (1 to {}, for example 1,3), or none.", shown.len())),
        _ => Err(format!(
            "Please give one number from 1 to {}{}.",
            shown.len(),
            if shown.len() <= 2 { " (or its words, such as False)" } else { "" }
        )),
    }
}

fn feedback(p: &Presented, answer: &Answer) {
    let graded = p.grade(answer);
    let verdict = if graded.correct {
        "✔ Correct.".to_string()
    } else if graded.earned > 0 {
        format!("◐ Partly right ({} of {} points).", graded.earned, graded.possible)
    } else {
        "✖ Not quite.".to_string()
    };
    println!("{verdict} {} (Course: {})", graded.explanation, graded.section);
    if !graded.correct {
        println!("   The answer: {}", p.correct_answer().join("; "));
    }
    for shown in p.prediction.iter().flat_map(|pr| &pr.shown) {
        println!("   [{}] $ {}", shown.clock, shown.line);
        for line in shown.output.lines() {
            println!("   {line}");
        }
    }
}

fn letter(i: usize) -> String {
    char::from(b'a' + (i % 26) as u8).to_string()
}

/// An example answer that is not the answer: the positions reversed.
fn example(n: usize, name: impl Fn(usize) -> String) -> String {
    (0..n).rev().map(name).collect::<Vec<_>>().join(",")
}
