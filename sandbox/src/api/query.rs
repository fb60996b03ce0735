//! Bitbucket's filter (`q`) and `sort` parameters.
//!
//! The grammar is BBQL as documented ("Filtering and sorting"): comparisons
//! `field op value` with `=`, `!=`, `~` (case-insensitive contains), `!~`,
//! `>`, `>=`, `<`, `<=`; values are double-quoted strings, `true`/`false`,
//! `null`, numbers or bare ISO-8601 dates; combined with `AND`/`OR` and
//! parentheses. Each endpoint declares which fields it filters on and of what
//! type; anything else (unknown field, wrong literal type, `~` on a date,
//! syntax error, an empty `q`) is a 400 whose message starts with
//! "Invalid query". Strict on purpose: a sloppy query that a lenient sandbox
//! accepted would fail against Bitbucket.

use std::cmp::Ordering;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::errors::ApiError;
use crate::directory::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Bool,
    Num,
    Date,
    /// `read` < `write` < `admin`, compared by rank.
    Perm,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Str(String),
    Bool(bool),
    Num(f64),
    Date(OffsetDateTime),
    Perm(Permission),
    Null,
}

pub(crate) struct Schema {
    pub type_name: &'static str,
    pub fields: &'static [(&'static str, Kind)],
    pub sortable: &'static [&'static str],
}

impl Schema {
    fn kind(&self, field: &str) -> Option<Kind> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| *k)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Contains,
    NotContains,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone)]
enum Expr {
    Cmp { field: String, op: Op, value: Val },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone)]
pub(crate) struct Filter(Expr);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Bare(String),
    Op(Op),
    LParen,
    RParen,
}

fn tokenize(q: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(&e @ ('"' | '\\')) => s.push(e),
                                _ => return Err("invalid escape in string".into()),
                            }
                            i += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            '=' | '~' | '>' | '<' | '!' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('!', Some('=')) => (Op::Ne, 2),
                    ('!', Some('~')) => (Op::NotContains, 2),
                    ('>', Some('=')) => (Op::Ge, 2),
                    ('<', Some('=')) => (Op::Le, 2),
                    ('=', _) => (Op::Eq, 1),
                    ('~', _) => (Op::Contains, 1),
                    ('>', _) => (Op::Gt, 1),
                    ('<', _) => (Op::Lt, 1),
                    _ => return Err(format!("unexpected '{c}'")),
                };
                out.push(Tok::Op(op));
                i += len;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.'))
                {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || matches!(chars[i], ':' | '.' | '+' | '-'))
                {
                    i += 1;
                }
                out.push(Tok::Bare(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected '{other}'")),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    schema: &'a Schema,
}

impl Parser<'_> {
    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_keyword("OR") {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.primary()?;
        while self.peek_keyword("AND") {
            self.pos += 1;
            let right = self.primary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let e = self.or()?;
                if self.toks.get(self.pos) != Some(&Tok::RParen) {
                    return Err("missing ')'".into());
                }
                self.pos += 1;
                Ok(e)
            }
            Some(Tok::Ident(field)) => {
                self.pos += 1;
                let Some(kind) = self.schema.kind(&field) else {
                    return Err(format!(
                        "'{field}' is not a field of {} that supports filtering",
                        self.schema.type_name
                    ));
                };
                let Some(Tok::Op(op)) = self.toks.get(self.pos).cloned() else {
                    return Err(format!("expected an operator after '{field}'"));
                };
                self.pos += 1;
                let literal = self
                    .toks
                    .get(self.pos)
                    .cloned()
                    .ok_or_else(|| format!("expected a value after '{field}'"))?;
                self.pos += 1;
                let value = typed_literal(&field, kind, op, literal)?;
                Ok(Expr::Cmp { field, op, value })
            }
            Some(t) => Err(format!("unexpected {t:?}")),
            None => Err("unexpected end of query".into()),
        }
    }
}

fn typed_literal(field: &str, kind: Kind, op: Op, tok: Tok) -> Result<Val, String> {
    let ordering = matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le);
    let contains = matches!(op, Op::Contains | Op::NotContains);
    if let Tok::Ident(w) = &tok {
        match w.as_str() {
            "null" if !ordering && !contains => return Ok(Val::Null),
            "true" | "false" if kind == Kind::Bool && !ordering && !contains => {
                return Ok(Val::Bool(w == "true"))
            }
            _ => {}
        }
    }
    let mismatch = || format!("the value for '{field}' has the wrong type");
    match kind {
        Kind::Str => match tok {
            Tok::Str(s) => Ok(Val::Str(s)),
            _ => Err(mismatch()),
        },
        Kind::Bool => Err(if ordering || contains {
            format!("'{field}' only supports = and !=")
        } else {
            mismatch()
        }),
        Kind::Num if contains => Err(format!("'{field}' does not support ~")),
        Kind::Num => match tok {
            Tok::Bare(b) => b.parse().map(Val::Num).map_err(|_| mismatch()),
            _ => Err(mismatch()),
        },
        Kind::Date if contains => Err(format!("'{field}' does not support ~")),
        Kind::Date => match tok {
            Tok::Bare(s) | Tok::Str(s) => parse_date(&s)
                .map(Val::Date)
                .ok_or_else(|| format!("'{s}' is not a valid date")),
            _ => Err(mismatch()),
        },
        Kind::Perm if contains => Err(format!("'{field}' does not support ~")),
        Kind::Perm => match tok {
            Tok::Str(s) => Permission::parse(&s)
                .map(Val::Perm)
                .ok_or_else(|| format!("'{s}' is not one of read, write, admin")),
            _ => Err(mismatch()),
        },
    }
}

/// `YYYY-MM-DD`, optionally `THH:MM[:SS[.frac]]`, optionally `Z` or `±HH:MM`
/// (UTC when absent).
pub(crate) fn parse_date(s: &str) -> Option<OffsetDateTime> {
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (date_part, rest) = s.split_at(s.find('T').unwrap_or(s.len()));
    let mut d = date_part.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() {
        return None;
    }
    let date =
        Date::from_calendar_date(y as i32, Month::try_from(m as u8).ok()?, day as u8).ok()?;
    let mut time = Time::MIDNIGHT;
    let mut offset = UtcOffset::UTC;
    if let Some(rest) = rest.strip_prefix('T') {
        let (clock, zone) = match rest.find(['Z', '+', '-']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let mut parts = clock.split(':');
        let h = num(parts.next()?)?;
        let min = num(parts.next()?)?;
        let (sec, nanos) = match parts.next() {
            None => (0, 0),
            Some(sec) => {
                let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
                let nanos = if frac.is_empty() {
                    0
                } else {
                    let digits: String = frac.chars().chain("000000000".chars()).take(9).collect();
                    num(&digits)?
                };
                (num(whole)?, nanos)
            }
        };
        if parts.next().is_some() {
            return None;
        }
        time = Time::from_hms_nano(h as u8, min as u8, sec as u8, nanos).ok()?;
        match zone {
            "" | "Z" => {}
            z => {
                let sign: i8 = if z.starts_with('-') { -1 } else { 1 };
                let (oh, om) = z[1..].split_once(':').unwrap_or((&z[1..], "0"));
                offset =
                    UtcOffset::from_hms(sign * num(oh)? as i8, sign * num(om)? as i8, 0).ok()?;
            }
        }
    } else if !rest.is_empty() {
        return None;
    }
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

impl Filter {
    pub(crate) fn parse(q: &str, schema: &Schema) -> Result<Filter, ApiError> {
        if q.trim().is_empty() {
            return Err(ApiError::invalid_query("the query is empty"));
        }
        let toks = tokenize(q).map_err(ApiError::invalid_query)?;
        let mut parser = Parser {
            toks,
            pos: 0,
            schema,
        };
        let expr = parser.or().map_err(ApiError::invalid_query)?;
        if parser.pos != parser.toks.len() {
            return Err(ApiError::invalid_query(format!(
                "unexpected {:?}",
                parser.toks[parser.pos]
            )));
        }
        Ok(Filter(expr))
    }

    pub(crate) fn matches(&self, get: &dyn Fn(&str) -> Val) -> bool {
        eval(&self.0, get)
    }
}

fn eval(e: &Expr, get: &dyn Fn(&str) -> Val) -> bool {
    match e {
        Expr::And(a, b) => eval(a, get) && eval(b, get),
        Expr::Or(a, b) => eval(a, get) || eval(b, get),
        Expr::Cmp { field, op, value } => {
            let actual = get(field);
            match (op, &actual, value) {
                (Op::Eq, a, Val::Null) => *a == Val::Null,
                (Op::Ne, a, Val::Null) => *a != Val::Null,
                (_, Val::Null, _) => matches!(op, Op::Ne | Op::NotContains),
                (Op::Contains, Val::Str(a), Val::Str(b)) => {
                    a.to_lowercase().contains(&b.to_lowercase())
                }
                (Op::NotContains, Val::Str(a), Val::Str(b)) => {
                    !a.to_lowercase().contains(&b.to_lowercase())
                }
                (op, a, b) => match compare(a, b) {
                    Some(ord) => match op {
                        Op::Eq => ord == Ordering::Equal,
                        Op::Ne => ord != Ordering::Equal,
                        Op::Gt => ord == Ordering::Greater,
                        Op::Ge => ord != Ordering::Less,
                        Op::Lt => ord == Ordering::Less,
                        Op::Le => ord != Ordering::Greater,
                        Op::Contains | Op::NotContains => false,
                    },
                    None => false,
                },
            }
        }
    }
}

/// Orders two values of the same type; `None` across types.
pub(crate) fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)),
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(b),
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
        (Val::Perm(a), Val::Perm(b)) => Some(a.cmp(b)),
        (Val::Null, Val::Null) => Some(Ordering::Equal),
        (Val::Null, _) => Some(Ordering::Less),
        (_, Val::Null) => Some(Ordering::Greater),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Sort {
    pub field: String,
    pub descending: bool,
}

impl Sort {
    /// `sort=name` or `sort=-name`; the field must be sortable.
    pub(crate) fn parse(s: &str, schema: &Schema) -> Result<Sort, ApiError> {
        let (descending, field) = match s.strip_prefix('-') {
            Some(f) => (true, f),
            None => (false, s),
        };
        if !schema.sortable.contains(&field) {
            return Err(ApiError::bad_request(format!(
                "Invalid sort: '{field}' is not a field of {} that supports sorting",
                schema.type_name
            )));
        }
        Ok(Sort {
            field: field.to_owned(),
            descending,
        })
    }

    /// Stable, so ties keep the endpoint's default order.
    pub(crate) fn apply<T>(&self, items: &mut [T], get: impl Fn(&T, &str) -> Val) {
        items.sort_by(|a, b| {
            let ord =
                compare(&get(a, &self.field), &get(b, &self.field)).unwrap_or(Ordering::Equal);
            if self.descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
}

/// Applies the request's `q` and `sort` to `rows`.
pub(crate) fn filter_and_sort<T>(
    rows: &mut Vec<T>,
    params: &super::pagination::Params,
    schema: &Schema,
    get: impl Fn(&T, &str) -> Val,
) -> Result<(), ApiError> {
    let filter = params
        .get("q")
        .map(|q| Filter::parse(q, schema))
        .transpose()?;
    let sort = params
        .get("sort")
        .map(|s| Sort::parse(s, schema))
        .transpose()?;
    if let Some(filter) = filter {
        rows.retain(|row| filter.matches(&|field| get(row, field)));
    }
    if let Some(sort) = sort {
        sort.apply(rows, &get);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema = Schema {
        type_name: "repository",
        fields: &[
            ("name", Kind::Str),
            ("is_private", Kind::Bool),
            ("size", Kind::Num),
            ("updated_on", Kind::Date),
            ("permission", Kind::Perm),
        ],
        sortable: &["name"],
    };

    fn get(field: &str) -> Val {
        match field {
            "name" => Val::Str("Marketing-ETL".into()),
            "is_private" => Val::Bool(true),
            "size" => Val::Num(10.0),
            "updated_on" => Val::Date(time::macros::datetime!(2024-02-01 12:00 UTC)),
            "permission" => Val::Perm(Permission::Write),
            _ => Val::Null,
        }
    }

    fn check(q: &str) -> bool {
        Filter::parse(q, &SCHEMA).unwrap().matches(&get)
    }

    #[test]
    fn evaluates() {
        assert!(check(r#"name ~ "etl""#));
        assert!(!check(r#"name !~ "ETL""#));
        assert!(!check(r#"name = "marketing-etl""#));
        assert!(check(r#"name = "Marketing-ETL" AND is_private = true"#));
        assert!(check(r#"name = "x" OR (size >= 10 AND size < 11)"#));
        assert!(check(r#"permission > "read""#));
        assert!(!check(r#"permission > "write""#));
        assert!(check("updated_on > 2024-01-31"));
        assert!(check(r#"updated_on <= "2024-02-01T12:00:00+00:00""#));
        assert!(check("updated_on < 2024-02-01T13:00:00.5+01:00"));
        assert!(!check("updated_on < 2024-02-01T13:00:00+01:00"));
        assert!(check(r#"name != null"#));
        assert!(check(r#"name="a" or name ~ "market""#));
    }

    #[test]
    fn refuses() {
        for q in [
            "",
            "name",
            r#"name = "x"#,
            r#"nope = "x""#,
            r#"name = 3"#,
            "is_private = \"true\"",
            "is_private > true",
            "updated_on ~ 2024-01-01",
            r#"permission = "owner""#,
            r#"(name = "x""#,
            r#"name = "x" name = "y""#,
            r#"name == "x""#,
            "updated_on > 2024-13-01",
        ] {
            let err = Filter::parse(q, &SCHEMA).unwrap_err();
            assert!(
                err.message.starts_with("Invalid query"),
                "{q}: {}",
                err.message
            );
        }
    }

    #[test]
    fn sorts() {
        assert!(Sort::parse("-name", &SCHEMA).unwrap().descending);
        assert!(Sort::parse("size", &SCHEMA).is_err());
    }
}
