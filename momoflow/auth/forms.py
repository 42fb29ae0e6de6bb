from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from momoflow.accounts.emails import MAX_EMAIL_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Work email", validators=[DataRequired("Enter your work email."),
                                                 Length(max=MAX_EMAIL_LENGTH)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")
