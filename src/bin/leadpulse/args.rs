//! A tiny argument reader: `--flag VALUE`, `--flag=VALUE`, switches and positionals.
pub struct Args {
    rest: Vec<String>,
    errors: Vec<String>,
}

impl Args {
    pub fn new(args: &[String]) -> Args {
        Args {
            rest: args.to_vec(),
            errors: Vec::new(),
        }
    }

    /// Takes `--name VALUE` or `--name=VALUE`.
    pub fn value(&mut self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        if let Some(i) = self.rest.iter().position(|a| a.starts_with(&prefix)) {
            let arg = self.rest.remove(i);
            return arg.strip_prefix(&prefix).map(str::to_string);
        }
        let i = self.rest.iter().position(|a| a == name)?;
        self.rest.remove(i);
        if i < self.rest.len() {
            Some(self.rest.remove(i))
        } else {
            self.errors.push(format!("{name} needs a value"));
            None
        }
    }

    /// Takes a switch such as `--require-signature`.
    pub fn flag(&mut self, name: &str) -> bool {
        match self.rest.iter().position(|a| a == name) {
            Some(i) => {
                self.rest.remove(i);
                true
            }
            None => false,
        }
    }

    /// True when everything was understood; otherwise prints what was not.
    pub fn finish(&self) -> bool {
        for error in &self.errors {
            eprintln!("leadpulse: {error}");
        }
        for extra in &self.rest {
            eprintln!("leadpulse: unexpected argument '{extra}'");
        }
        self.errors.is_empty() && self.rest.is_empty()
    }
}
